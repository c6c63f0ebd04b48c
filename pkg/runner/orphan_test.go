package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// A cluster whose spec was removed is still reported in its status (docs/contracts.md §7: nothing is
// silently skipped): the plan's warning says why it is kept; once pruned, its status and report
// are removed with it.
func TestRemovedSpecIsReportedThenPruned(t *testing.T) {
	e := newEnv(t, "revert")
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(
		strings.Replace(clusterYAML, "DRIFT", "revert", 1), "  tags: [team-a]\n", "  tags: [team-a]\n  deletionProtection: false\n", 1)})
	e.user.CommitAndPush(t, "unprotect prod-par", 3)
	e.tick("start")

	if err := os.Remove(filepath.Join(e.user.Dir, "clusters", "prod-par.yaml")); err != nil {
		t.Fatal(err)
	}
	e.user.Write(t, map[string]string{"clusters/.keep": ""})
	e.user.CommitAndPush(t, "remove prod-par", 3)
	if res := e.tick("webhook"); res.StatusCommit == "" {
		t.Fatalf("tick = %+v, want the kept cluster's status rewritten", res)
	}
	st := e.status("prod-par")
	found := false
	for _, w := range st.Warnings {
		found = found || (w.Code == "cluster-not-in-spec" && strings.Contains(w.Message, "prune is off"))
	}
	if !found {
		t.Fatalf("status warnings = %+v, want cluster-not-in-spec saying prune is off", st.Warnings)
	}
	if st.LastApplied == nil || st.LastApplied.DeletionProtection {
		t.Fatalf("lastApplied = %+v, want the recorded deletionProtection: false kept", st.LastApplied)
	}

	e.user.Write(t, map[string]string{"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nprune: true\n"})
	e.user.CommitAndPush(t, "prune", 3)
	if res := e.tick("webhook"); res.Applied == 0 || res.StatusCommit == "" {
		t.Fatalf("tick = %+v, want the cluster deleted and its status removed", res)
	}
	if l := e.live(); l != nil && l.Status != "deleted" {
		t.Fatalf("prod-par still live: %s", l.Status)
	}
	for _, p := range []string{"status/prod-par.yaml", "reports/prod-par.md"} {
		if _, err := gittest.RunErr(e.user.Dir, nil, "--git-dir", e.bare, "cat-file", "-e", "main:"+p); err == nil {
			t.Errorf("%s is still in the repository after the cluster was deleted", p)
		}
	}
}
