package runner

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
)

// loseOnCreate is the API seen by the executor: the first cluster creation succeeds, then the
// lease is lost while the call returns (lose), and the call waits for the pass's context to be
// cancelled (stepping the fake clock the lease check ticks on).
type loseOnCreate struct {
	cloud.Provider
	e       *env
	lose    func()
	creates int
	cause   error
}

func (p *loseOnCreate) CreateCluster(ctx context.Context, ref cloud.Ref, c cloud.Cluster) (*cloud.Cluster, error) {
	p.creates++
	out, err := p.Provider.CreateCluster(ctx, ref, c)
	if p.creates == 1 {
		p.lose()
		deadline := time.Now().Add(10 * time.Second)
		for ctx.Err() == nil && time.Now().Before(deadline) {
			p.e.clock.Step(DefaultLeaseCheck)
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Millisecond): // polling the guard, not waiting for time
			}
		}
		p.cause = context.Cause(ctx)
	}
	return out, err
}

// A lease lost in the middle of a pass cancels it before its next mutation, and nothing of it is
// committed: the second cluster is never created, and the repository is untouched.
func TestLeadershipLostMidPassStopsBeforeTheNextMutation(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(e *env) func()
	}{
		{"leader", func(e *env) func() {
			lead := &switchLeader{}
			lead.on.Store(true)
			e.runner.Leader = lead
			return func() { lead.on.Store(false) }
		}},
		{"shard", func(e *env) func() {
			s := &switchShards{}
			s.set(StaticShards{Count: 1, Held: []int{0}})
			e.runner.Shards = s
			return func() { s.set(StaticShards{Count: 1}) }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, "revert")
			e.addClusters("second")
			p := &loseOnCreate{Provider: e.prov, e: e, lose: tc.set(e)}
			e.runner.Exec = &apply.Executor{Provider: p, Concurrency: 1, Options: apply.Options{PollInterval: 10 * time.Millisecond}}
			before := len(e.commits())
			res := e.tick("start")
			if !errors.Is(p.cause, ErrLeadershipLost) {
				t.Fatalf("the pass's context: cause %v, want ErrLeadershipLost", p.cause)
			}
			if !res.LeadershipLost || res.StatusCommit != "" {
				t.Errorf("tick = %+v, want leadership lost and nothing committed", res)
			}
			if p.creates != 1 {
				t.Errorf("creations = %d after the lease was lost during the first, want 1", p.creates)
			}
			log, _ := e.emu.Requests()
			if n := log.Counts["POST /k8s/v1/regions/{region}/clusters"]; n != 1 {
				t.Errorf("cluster creations on the wire = %d, want 1", n)
			}
			if n := len(e.commits()) - before; n != 0 {
				t.Errorf("committed %d time(s) after losing the lease", n)
			}
		})
	}
}

type switchShards struct {
	mu  sync.Mutex
	cur shard.Set
}

func (s *switchShards) set(v StaticShards) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = shard.Set(v)
}

func (s *switchShards) Shards() shard.Set {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}
