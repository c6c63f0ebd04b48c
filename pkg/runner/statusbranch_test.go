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
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

const statusBranch = "reconciler-status"

// restartOnStatusBranch replaces the runner with a new one (a restart: fresh cache, empty
// state) that reads specs from main and commits status to statusBranch.
func (e *env) restartOnStatusBranch() {
	e.t.Helper()
	src, err := source.New(source.Options{URL: e.user.URL, TargetBranch: statusBranch, CacheDir: e.t.TempDir()})
	if err != nil {
		e.t.Fatal(err)
	}
	e.runner = &Runner{Source: src, Provider: e.prov, Clock: e.clock, DriftInterval: 10 * time.Minute,
		Exec:             &apply.Executor{Provider: e.prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}},
		DefaultProjectID: project, DefaultRegion: "fr-par"}
}

func (e *env) statusOn(branch, name string) *status.ClusterStatus {
	e.t.Helper()
	s, err := status.ParseYAML([]byte(gittest.Show(e.t, e.bare, branch, "status/"+name+".yaml")))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) onBranch(branch, path string) bool {
	_, err := gittest.RunErr(e.bare, nil, "cat-file", "-e", branch+":"+path)
	return err == nil
}

// With status committed to another branch than the specs, a restarted loop reads its previous
// statuses from that branch: its first pass writes nothing when nothing changed (observedRevision
// and the record of the last applied spec are kept), and that record drives docs/contracts.md §7's
// deletion rule. The spec branch is never written by the reconciler.
func TestRestartWithSeparateStatusBranch(t *testing.T) {
	e := newEnv(t, "revert")
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(
		strings.Replace(clusterYAML, "DRIFT", "revert", 1), "  tags: [team-a]\n", "  tags: [team-a]\n  deletionProtection: false\n", 1)})
	specHead := e.user.CommitAndPush(t, "unprotect prod-par", 3)
	e.restartOnStatusBranch()

	first := e.tick("start")
	if first.Applied == 0 || first.StatusCommit == "" || first.Revision != specHead {
		t.Fatalf("first tick = %+v, want the cluster created and status committed for %s", first, specHead)
	}
	if h := gittest.Head(t, e.bare, "main"); h != specHead {
		t.Fatalf("spec branch moved to %s, want it left at %s", h, specHead)
	}
	if e.onBranch("main", "status/prod-par.yaml") {
		t.Fatal("status written to the spec branch")
	}
	if h := gittest.Head(t, e.bare, statusBranch); h != first.StatusCommit {
		t.Fatalf("%s head = %s, want the status commit %s", statusBranch, h, first.StatusCommit)
	}
	st := e.statusOn(statusBranch, "prod-par")
	if st.ObservedRevision != specHead || st.LastApplied == nil || st.LastApplied.DeletionProtection {
		t.Fatalf("status on %s: observedRevision %s lastApplied %+v, want %s and deletionProtection false",
			statusBranch, st.ObservedRevision, st.LastApplied, specHead)
	}

	// Restart with nothing changed: the first pass runs (the new loop knows no digest) and
	// finds the status it would write already on the status branch.
	e.restartOnStatusBranch()
	e.clock.Step(time.Minute)
	res := e.tick("start")
	if !res.Planned || res.Applied != 0 || res.StatusCommit != "" {
		t.Fatalf("first tick after restart = %+v, want a pass with no apply and no commit", res)
	}
	if h := gittest.Head(t, e.bare, statusBranch); h != first.StatusCommit {
		t.Fatalf("restart rewrote the status: %s head %s, want %s", statusBranch, h, first.StatusCommit)
	}
	if st := e.statusOn(statusBranch, "prod-par"); st.ObservedRevision != specHead {
		t.Fatalf("observedRevision after restart = %s, want %s", st.ObservedRevision, specHead)
	}

	// The user removes the spec and turns prune on; the loop restarts before it sees that. The
	// spec branch holds no status: only the status branch records deletionProtection: false.
	if err := os.Remove(filepath.Join(e.user.Dir, "clusters", "prod-par.yaml")); err != nil {
		t.Fatal(err)
	}
	e.user.Write(t, map[string]string{"clusters/.keep": "",
		"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nprune: true\n"})
	retired := e.user.CommitAndPush(t, "retire prod-par", 3)
	e.restartOnStatusBranch()
	res = e.tick("start")
	if res.Applied == 0 || res.StatusCommit == "" {
		t.Fatalf("first tick after the second restart = %+v, want the delete-cluster applied", res)
	}
	if l := e.live(); l != nil && l.Status != "deleted" {
		t.Fatalf("prod-par still live after the restarted loop's first pass: %s", l.Status)
	}
	if e.onBranch(statusBranch, "status/prod-par.yaml") || e.onBranch(statusBranch, "reports/prod-par.md") {
		t.Error("the deleted cluster's status or report is still on the status branch")
	}
	if h := gittest.Head(t, e.bare, "main"); h != retired {
		t.Fatalf("spec branch moved to %s, want it left at %s", h, retired)
	}
}
