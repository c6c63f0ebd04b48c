package status

import (
	"strings"
	"testing"
)

// Before any valid revision, the errors go into the statuses already in the repository. One
// whose cluster: is no cluster name (a path, a slash) is not the reconciler's: it gets no status
// built for it, so no file outside status/<name>.yaml is ever named; the others still get the errors.
func TestWithoutRevisionLeavesForgedNamesOut(t *testing.T) {
	previous := map[string]*ClusterStatus{}
	for _, name := range []string{"../clusters/prod-par", "a/b", "prod-par", "Prod"} {
		previous[name] = &ClusterStatus{APIVersion: APIVersion, Kind: Kind, Cluster: name, Region: "fr-par"}
	}
	a := Assemble(Pass{Revision: "r2", ValidationErrors: []string{"clusters/prod-par.yaml:4:1: spec.version: invalid"}}, previous)
	var names []string
	for _, st := range a.Statuses {
		names = append(names, st.Cluster)
		if sp, rp := Paths(st.Cluster); strings.Contains(sp+rp, "..") || strings.Count(sp, "/") != 1 {
			t.Errorf("status %q is written at %s and %s", st.Cluster, sp, rp)
		}
	}
	if len(names) != 1 || names[0] != "prod-par" || len(a.Statuses[0].Errors) != 1 {
		t.Fatalf("statuses %q (%+v), want prod-par's alone, with the error", names, a.Statuses)
	}
}
