package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// Typed errors decide retry versus stop in the loop as in apply and the status: a terminal
// failure (quota exceeded) is Stalled and not re-applied at every tick (it waits for a new
// revision or the drift interval); a transient one is retried at the next tick.
func TestTerminalFailureWaitsTransientRetries(t *testing.T) {
	e := newEnv(t, "revert")
	if err := e.emu.FailNext(emulator.FailNext{Method: "POST", Pattern: "/k8s/v1/regions/{region}/clusters", Count: 1, Status: 403}); err != nil {
		t.Fatal(err)
	}
	res := e.tick("start")
	if !res.Planned || res.Applied != 0 {
		t.Fatalf("first tick = %+v, want a pass whose create failed", res)
	}
	if got := cond(e.status("prod-par"), status.Stalled); got != "True/ApplyFailed" {
		t.Fatalf("Stalled = %s, want True/ApplyFailed for a terminal error", got)
	}
	e.clock.Step(time.Minute)
	if r := e.tick("interval"); r.Planned {
		t.Fatalf("tick after a terminal failure = %+v, want no pass before the drift interval", r)
	}
	e.clock.Step(10 * time.Minute)
	if r := e.tick("interval"); !r.Planned || r.Applied == 0 {
		t.Fatalf("drift-interval tick = %+v, want the create tried again and done", r)
	}

	// A transient failure (503 on every try) is retried at the very next tick.
	if err := e.emu.FailNext(emulator.FailNext{Method: "PATCH", Pattern: "/k8s/v1/regions/{region}/clusters/*", Count: 100, Status: 503}); err != nil {
		t.Fatal(err)
	}
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(
		strings.Replace(clusterYAML, "DRIFT", "revert", 1), "tags: [team-a]", "tags: [team-b]", 1)})
	e.user.CommitAndPush(t, "retag", 3)
	e.runner.Exec.Options.Retry.Attempts = 2
	e.runner.Exec.Options.Retry.Base = time.Millisecond
	if r := e.tick("webhook"); !r.Planned || r.Applied != 0 {
		t.Fatalf("tick = %+v, want a pass whose update failed", r)
	}
	e.clock.Step(time.Minute)
	if r := e.tick("interval"); !r.Planned || r.Why != "retry" {
		t.Fatalf("tick after a transient failure = %+v, want a retry pass", r)
	}
}
