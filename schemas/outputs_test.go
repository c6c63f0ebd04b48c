package schemas

import (
	"reflect"
	"slices"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/schemas/schematest"
)

// outputWalker holds the output schemas for walking them next to the Go types they are
// marshalled from: every field encoding/json writes is a property and every property a field,
// an always-written field is required and an omitempty one is not, and the enums of the wire
// types hold exactly their Go constants. The documents themselves (apply's report, rotate's dry
// run, validate's and version's) are package main types: cmd/reconciler walks those.
func outputWalker(t *testing.T) *schematest.Walker {
	t.Helper()
	w, err := schematest.New(map[string][]byte{"plan.schema.json": Plan, "apply.schema.json": Apply,
		"rotate.schema.json": Rotate, "validate.schema.json": Validate, "version.schema.json": Version})
	if err != nil {
		t.Fatal(err)
	}
	w.Output = true
	w.Enums = map[reflect.Type][]string{
		reflect.TypeFor[plan.ActionType]():    schematest.ConstValues(t, "../pkg/plan", "ActionType"),
		reflect.TypeFor[apply.Outcome]():      schematest.ConstValues(t, "../pkg/apply", "Outcome"),
		reflect.TypeFor[apply.ClusterState](): schematest.ConstValues(t, "../pkg/apply", "ClusterState"),
		reflect.TypeFor[rotation.Reason]():    schematest.ConstValues(t, "../pkg/rotation", "Reason"),
	}
	return w
}

func TestOutputSchemasMatchGoTypes(t *testing.T) {
	w := outputWalker(t)
	w.Compare(t, "Plan", reflect.TypeFor[plan.Plan](), "plan.schema.json", "")
	w.Compare(t, "Result", reflect.TypeFor[apply.Result](), "apply.schema.json", "#/$defs/Result")
	w.Compare(t, "Calendar", reflect.TypeFor[rotation.Calendar](), "rotate.schema.json", "#/$defs/Calendar")
}

// The enums of plain-string fields, next to the constants that make their values.
func TestOutputSchemaEnumsMatchGoConstants(t *testing.T) {
	w := outputWalker(t)
	for _, tc := range []struct {
		pointer, prefix string
	}{
		{"#/$defs/WavePlan/properties/state", "Wave"},
		{"#/$defs/SpecBehind/properties/reason", "Behind"},
	} {
		got := w.Enum(t, "plan.schema.json", tc.pointer)
		if want := schematest.ConstValuesNamed(t, "../pkg/plan", tc.prefix); !slices.Equal(got, want) {
			t.Errorf("plan.schema.json%s = %q, the Go constants %s* are %q", tc.pointer, got, tc.prefix, want)
		}
	}
}
