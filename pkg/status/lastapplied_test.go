package status

import (
	"maps"
	"testing"
	"testing/fstest"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func TestLastAppliedFrom(t *testing.T) {
	off, err := MarshalYAML(Build(Input{Cluster: "old", Region: "fr-par", ProjectID: "p", Revision: "r1", Applied: true, DeletionProtection: false,
		Live: &cloud.Cluster{ID: "id-old", Status: "ready"}}))
	if err != nil {
		t.Fatal(err)
	}
	never, _ := MarshalYAML(Build(Input{Cluster: "new", Region: "fr-par", ProjectID: "p", Revision: "r1"}))
	got := LastAppliedFrom(fstest.MapFS{
		"status/old.yaml":  {Data: off},
		"status/new.yaml":  {Data: never},
		"status/junk.yaml": {Data: []byte("{not yaml")},
		"reports/old.md":   {Data: []byte("# report")},
		"status/notes.txt": {Data: []byte("x")},
	})
	want := map[string]plan.Applied{
		plan.Key("fr-par", "p", "old"): {File: "status/old.yaml", ID: "id-old", DeletionProtection: false},
		// never applied: recorded, protected, bound to no id
		plan.Key("fr-par", "p", "new"): {File: "status/new.yaml", DeletionProtection: true},
	}
	if !maps.Equal(got, want) {
		t.Fatalf("LastAppliedFrom = %v, want %v", got, want)
	}
	if len(LastAppliedFrom(fstest.MapFS{})) != 0 {
		t.Error("no status dir must give no record")
	}
}
