package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// A pass whose observation fails (the emulator refuses the list) keeps the last observed facts
// in the status, with when they were observed, shows the error first in the report and says
// the drift is unknown; the commit says the pass failed.
func TestObserveFailureKeepsLastObservedFacts(t *testing.T) {
	e := newEnv(t, "revert")
	e.tick("start")
	observedAt := e.clock.Now()
	good := e.status("prod-par")
	if good.ID == "" || len(good.Pools) != 1 {
		t.Fatalf("first status = %+v", good)
	}
	if err := e.emu.FailNext(emulator.FailNext{Method: "GET", Pattern: "/k8s/v1/regions/{region}/clusters", Count: 5, Status: 403}); err != nil {
		t.Fatal(err)
	}
	e.clock.Step(11 * time.Minute)
	res := e.tick("interval")
	if res.PassErr == nil {
		t.Fatalf("tick = %+v, want the observation refused", res)
	}
	st := e.status("prod-par")
	if st.ID != good.ID || st.Version != good.Version || len(st.Pools) != 1 || len(st.Pools[0].Nodes) != len(good.Pools[0].Nodes) {
		t.Errorf("facts lost: id %q version %q pools %+v", st.ID, st.Version, st.Pools)
	}
	if st.LastObserved == nil || st.LastObserved.At == nil || !st.LastObserved.At.Equal(observedAt.UTC().Truncate(time.Second)) && !st.LastObserved.At.Equal(observedAt.UTC()) {
		t.Errorf("lastObserved = %+v, want at %s", st.LastObserved, observedAt.UTC())
	}
	if got := cond(st, status.Drifted); got != "Unknown/DriftUnknown" {
		t.Errorf("Drifted = %s", got)
	}
	report := gittest.Show(t, e.bare, "main", "reports/prod-par.md")
	if strings.Contains(report, "No drift") || !strings.Contains(report, "Drift unknown:") ||
		strings.Index(report, "## Last error") > strings.Index(report, "| ID |") {
		t.Errorf("report:\n%s", report)
	}
	if subj := e.commits()[0].Subject; !strings.Contains(subj, "(pass failed)") {
		t.Errorf("commit subject = %q", subj)
	}
}
