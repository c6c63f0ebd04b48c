package rotation

import (
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// A pool that replaced the spec's pool (name plus replacement suffix) is the one rotated once
// the old pool is gone; while both exist the pool of the spec's own name is; a pool the spec
// names itself, or a deleted one, never stands in for another.
func TestForEachPoolFollowsTheReplacementPool(t *testing.T) {
	desired := &spec.Cluster{}
	desired.Spec.Pools = []spec.Pool{{Name: "default"}, {Name: "batch"}, {Name: "batch-0a1b2c"}}
	cases := []struct {
		name string
		live []cloud.Pool
		want map[string]string
	}{
		{"both exist", []cloud.Pool{{Name: "default-16b7a4", ID: "new"}, {Name: "default", ID: "old"}},
			map[string]string{"default": "old"}},
		{"replacement done", []cloud.Pool{{Name: "default-16b7a4", ID: "new"}},
			map[string]string{"default": "new"}},
		{"deleted old is skipped", []cloud.Pool{{Name: "default", ID: "old", Status: "deleted"}, {Name: "default-16b7a4", ID: "new"}},
			map[string]string{"default": "new"}},
		{"spec-named pool is its own", []cloud.Pool{{Name: "batch-0a1b2c", ID: "b2"}},
			map[string]string{"batch-0a1b2c": "b2"}},
		{"not a replacement suffix", []cloud.Pool{{Name: "default-extra", ID: "x"}, {Name: "default-16B7A4", ID: "y"}},
			map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			ForEachPool(desired, &cloud.Cluster{Pools: tc.live}, func(sp *spec.Pool, lp *cloud.Pool) { got[sp.Name] = lp.ID })
			if len(got) != len(tc.want) {
				t.Fatalf("pools = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("pool %s -> %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}
