package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// The status branch deleted by hand: the next pass (the drift check) writes it again, with the
// record of the last applied spec the loop holds. Before, the loop compared its statuses with
// what it had last written itself, found nothing changed and never wrote them again.
func TestDeletedStatusBranchIsWrittenAgain(t *testing.T) {
	e := newEnv(t, "revert")
	e.restartOnStatusBranch()
	if res := e.tick("start"); res.StatusCommit == "" {
		t.Fatalf("first tick = %+v, want the status committed", res)
	}
	gittest.Run(t, e.bare, "branch", "-D", statusBranch)
	e.clock.Step(11 * time.Minute)
	if res := e.tick("interval"); res.Why != "drift-check" || res.StatusCommit == "" {
		t.Fatalf("drift check after the status branch was deleted = %+v, want the statuses committed again", res)
	}
	if st := e.statusOn(statusBranch, "prod-par"); st.LastApplied == nil || st.ID == "" {
		t.Errorf("status written again without the last applied spec or the id: %+v", st)
	}
	e.clock.Step(11 * time.Minute)
	if res := e.tick("interval"); res.StatusCommit != "" {
		t.Errorf("the next drift check committed %s, want nothing (the statuses are there)", res.StatusCommit)
	}
}

// Status files deleted by hand on the spec branch are written again by the next pass.
func TestDeletedStatusFilesAreWrittenAgain(t *testing.T) {
	e := newEnv(t, "revert")
	if res := e.tick("start"); res.StatusCommit == "" {
		t.Fatalf("first tick = %+v, want the status committed", res)
	}
	e.pull()
	if err := os.RemoveAll(filepath.Join(e.user.Dir, "status")); err != nil {
		t.Fatal(err)
	}
	e.user.CommitAndPush(t, "remove the statuses", 3)
	e.clock.Step(11 * time.Minute)
	if res := e.tick("interval"); res.StatusCommit == "" {
		t.Fatalf("drift check after the statuses were deleted = %+v, want them committed again", res)
	}
	if st := e.status("prod-par"); st.LastApplied == nil {
		t.Errorf("status written again without the last applied spec: %+v", st)
	}
	if e.onBranch("main", "status/prod-par.yaml") == false {
		t.Error("status/prod-par.yaml missing on main")
	}
}
