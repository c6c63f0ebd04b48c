package status

import (
	"testing"
	"testing/fstest"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func TestLastAppliedFrom(t *testing.T) {
	off, err := MarshalYAML(Build(Input{Cluster: "old", Region: "fr-par", ProjectID: "p", Revision: "r1", Applied: true, DeletionProtection: false}))
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
	want := map[string]plan.Applied{plan.Key("fr-par", "p", "old"): {DeletionProtection: false}}
	if len(got) != 1 || got[plan.Key("fr-par", "p", "old")] != want[plan.Key("fr-par", "p", "old")] {
		t.Fatalf("LastAppliedFrom = %v, want %v (a cluster never applied has no record)", got, want)
	}
	if len(LastAppliedFrom(fstest.MapFS{})) != 0 {
		t.Error("no status dir must give no record")
	}
}
