package status

import (
	"fmt"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func statusYAML(cluster, id string, protection bool) []byte {
	return fmt.Appendf(nil, "apiVersion: %s\nkind: %s\ncluster: %s\nregion: fr-par\nprojectID: p1\nid: %s\nlastApplied: {deletionProtection: %t}\n",
		APIVersion, Kind, cluster, id, protection)
}

// Two status files describing one cluster (one of them pushed by someone) gave a record picked
// by map order: the plan could change from pass to pass, and a pushed file could stand in for
// the reconciler's own. The most careful record is now kept, whatever the order.
func TestRecordedKeepsTheMostCarefulOfDuplicates(t *testing.T) {
	key := plan.Key("fr-par", "p1", "prod")
	for name, tc := range map[string]struct {
		files map[string][]byte
		want  plan.Applied
	}{
		"a pushed file cannot lift the protection": {map[string][]byte{
			"status/prod.yaml": statusYAML("prod", "id-1", true), "status/zz.yaml": statusYAML("prod", "id-1", false)},
			plan.Applied{File: "status/prod.yaml", ID: "id-1", DeletionProtection: true}},
		"a pushed file can add it": {map[string][]byte{
			"status/prod.yaml": statusYAML("prod", "id-1", false), "status/aa.yaml": statusYAML("prod", "id-1", true)},
			plan.Applied{File: "status/aa.yaml", ID: "id-1", DeletionProtection: true}},
		"another id: the reconciler's file stands": {map[string][]byte{
			"status/prod.yaml": statusYAML("prod", "id-1", false), "status/aa.yaml": statusYAML("prod", "id-2", false)},
			plan.Applied{File: "status/prod.yaml", ID: "id-1"}},
		"no id is more careful": {map[string][]byte{
			"status/prod.yaml": statusYAML("prod", "id-1", false), "status/zz.yaml": statusYAML("prod", "", false)},
			plan.Applied{File: "status/zz.yaml"}},
	} {
		for i := range 20 { // map order differs between runs
			if got := Recorded(tc.files)[key]; got != tc.want {
				t.Fatalf("%s (run %d): %+v, want %+v", name, i, got, tc.want)
			}
		}
	}
}
