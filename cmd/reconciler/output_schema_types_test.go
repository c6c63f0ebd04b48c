package main

import (
	"reflect"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/schemas"
	"github.com/scaleway-gitops/reconciler/schemas/schematest"
)

// The output documents are package main types: each is walked next to its schema in both
// directions (schemas/schematest; the plan and apply types are also walked in package schemas).
func TestOutputSchemasMatchDocumentTypes(t *testing.T) {
	w, err := schematest.New(map[string][]byte{"plan.schema.json": schemas.Plan, "apply.schema.json": schemas.Apply,
		"rotate.schema.json": schemas.Rotate, "validate.schema.json": schemas.Validate, "version.schema.json": schemas.Version,
		"preview.schema.json": schemas.Preview})
	if err != nil {
		t.Fatal(err)
	}
	w.Output = true
	// runApply and runRotate build the report only from a plan pass that succeeded
	w.NeverNil = []string{"main.applyReport.plan"}
	w.Enums = map[reflect.Type][]string{
		reflect.TypeFor[plan.ActionType]():    schematest.ConstValues(t, "../../pkg/plan", "ActionType"),
		reflect.TypeFor[apply.Outcome]():      schematest.ConstValues(t, "../../pkg/apply", "Outcome"),
		reflect.TypeFor[apply.ClusterState](): schematest.ConstValues(t, "../../pkg/apply", "ClusterState"),
		reflect.TypeFor[rotation.Reason]():    schematest.ConstValues(t, "../../pkg/rotation", "Reason"),
	}
	for _, tc := range []struct {
		name, file, pointer string
		typ                 reflect.Type
	}{
		{"plan", "plan.schema.json", "", reflect.TypeFor[plan.Plan]()},
		{"apply", "apply.schema.json", "", reflect.TypeFor[applyReport]()},
		{"rotate", "rotate.schema.json", "#/oneOf/0", reflect.TypeFor[applyReport]()},
		{"rotate --dry-run", "rotate.schema.json", "#/$defs/DryRun", reflect.TypeFor[rotationDryRun]()},
		{"validate", "validate.schema.json", "", reflect.TypeFor[validateReport]()},
		{"version", "version.schema.json", "", reflect.TypeFor[buildVersion]()},
		{"preview", "preview.schema.json", "", reflect.TypeFor[preview.Preview]()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.Compare(t, tc.typ.Name(), tc.typ, tc.file, tc.pointer)
		})
	}
}
