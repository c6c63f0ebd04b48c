package runner

import (
	"sync/atomic"
	"testing"
)

type switchLeader struct{ on atomic.Bool }

func (s *switchLeader) Leading() bool { return s.on.Load() }

// A follower fetches and plans but never mutates the cloud or the repository; once it leads, it
// applies and commits, reading the statuses afresh.
func TestFollowerPlansButNeverWrites(t *testing.T) {
	e := newEnv(t, "revert")
	lead := &switchLeader{}
	e.runner.Leader = lead
	before := len(e.commits())
	res := e.tick("start")
	if !res.Follower || !res.Planned || res.Applied != 0 || res.StatusCommit != "" {
		t.Fatalf("follower tick = %+v, want planned only", res)
	}
	if m := mutations(t, e.emu); len(m) != 0 {
		t.Fatalf("a follower mutated the cloud: %v", m)
	}
	if n := len(e.commits()) - before; n != 0 {
		t.Fatalf("a follower committed %d time(s)", n)
	}
	lead.on.Store(true)
	e.clock.Step(e.runner.DriftInterval) // the next pass is due
	if res := e.tick("drift"); res.Follower || res.Applied == 0 || res.StatusCommit == "" {
		t.Fatalf("leader tick = %+v, want the cluster created and status committed", res)
	}
}

// A process that starts leading passes at once (TriggerLeading), without waiting for the drift
// interval after the pass it planned as a follower.
func TestLeadingTriggersAPass(t *testing.T) {
	e := newEnv(t, "revert")
	lead := &switchLeader{}
	e.runner.Leader = lead
	if res := e.tick("start"); !res.Follower {
		t.Fatalf("follower tick = %+v", res)
	}
	lead.on.Store(true)
	if res := e.tick("interval"); res.Planned {
		t.Fatalf("an interval tick passed with nothing due: %+v", res)
	}
	if res := e.tick(TriggerLeading); res.Follower || res.Applied == 0 || res.StatusCommit == "" {
		t.Fatalf("tick(%s) = %+v, want the cluster created and status committed", TriggerLeading, res)
	}
}
