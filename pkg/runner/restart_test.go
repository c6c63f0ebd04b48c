package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// A restarted loop knows the last applied specs from the status files before its first pass:
// a cluster whose spec was removed (with prune on and deletionProtection: false recorded) is
// deleted by that first pass, not reported as "no last applied spec is recorded".
func TestRestartedLoopReadsLastAppliedBeforeFirstPass(t *testing.T) {
	e := newEnv(t, "revert")
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(
		strings.Replace(clusterYAML, "DRIFT", "revert", 1), "  tags: [team-a]\n", "  tags: [team-a]\n  deletionProtection: false\n", 1)})
	e.user.CommitAndPush(t, "unprotect prod-par", 3)
	if res := e.tick("start"); res.StatusCommit == "" {
		t.Fatalf("first tick = %+v, want the cluster created and status committed", res)
	}
	if st := e.status("prod-par"); st.LastApplied == nil || st.LastApplied.DeletionProtection {
		t.Fatalf("lastApplied = %+v, want deletionProtection false recorded", st.LastApplied)
	}

	// The user removes the spec and turns prune on; the loop restarts before it sees that.
	if err := os.Remove(filepath.Join(e.user.Dir, "clusters", "prod-par.yaml")); err != nil {
		t.Fatal(err)
	}
	e.user.Write(t, map[string]string{"clusters/.keep": "", // git keeps no empty directory
		"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nprune: true\n"})
	e.user.CommitAndPush(t, "retire prod-par", 3)
	src, err := source.New(source.Options{URL: e.user.URL, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	e.runner = &Runner{Source: src, Provider: e.prov, Clock: e.clock, DriftInterval: 10 * time.Minute,
		Exec:             &apply.Executor{Provider: e.prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}},
		DefaultProjectID: project, DefaultRegion: "fr-par"}
	res := e.tick("start")
	if res.Applied == 0 {
		t.Fatalf("first tick after restart = %+v, want the delete-cluster applied", res)
	}
	if l := e.live(); l != nil && l.Status != "deleted" {
		t.Fatalf("prod-par still live after the restarted loop's first pass: %s", l.Status)
	}
}

// An idle loop restarted five times writes no commit: after a restart, the head is the loop's
// own status commit, whose specs are those its statuses describe.
func TestIdleLoopRestartedWritesNothing(t *testing.T) {
	e := newEnv(t, "revert")
	if res := e.tick("start"); res.StatusCommit == "" {
		t.Fatalf("first tick = %+v, want the cluster created and status committed", res)
	}
	before := len(e.commits())
	for i := range 5 {
		e.restart()
		if res := e.tick("start"); res.StatusCommit != "" {
			t.Fatalf("restart %d committed %s: %s", i+1, res.StatusCommit, gittest.Run(t, e.bare, "show", "--stat", res.StatusCommit))
		}
	}
	if n := len(e.commits()) - before; n != 0 {
		t.Errorf("%d commit(s) after 5 idle restarts, want 0", n)
	}
}
