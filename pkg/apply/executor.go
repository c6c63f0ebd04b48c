package apply

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// Executor executes plans. The zero value of every optional field is usable.
type Executor struct {
	Provider cloud.Provider
	Clock    clock.Clock  // default clock.RealClock
	Log      *slog.Logger // default: discard
	Progress ProgressFunc // optional
	Rotator  NodeRotator  // optional: rotate-node actions are skipped without it
	// Drainer cordons and drains a replaced pool's nodes (optional: a replace-pool with nodes to
	// drain fails closed without it).
	Drainer PoolDrainer
	Options Options
	// Concurrency bounds how many clusters are applied at once (default 4).
	Concurrency int
	// Jitter returns a number in [0,1) for backoff jitter (default math/rand/v2); tests pin it.
	Jitter func() float64

	emitMu sync.Mutex
}

// Options tunes polling, timeouts and retries.
type Options struct {
	// PollInterval is the delay between two observations during a wait (default 5s).
	PollInterval time.Duration
	// ProgressEvery is how often a waiting event is emitted during a long wait (default 30s);
	// a change of status is always reported.
	ProgressEvery time.Duration
	// Timeouts bound the wait after each action type (defaults in DefaultTimeouts).
	Timeouts map[plan.ActionType]time.Duration
	// Retry bounds the retries of a mutation's transient errors; zero fields are backoff.Default's.
	// The provider retries its reads itself.
	Retry backoff.Policy
}

// DefaultTimeouts are the waits per action type, from what the real API takes (creation of a
// cluster with pools ~5 min, a minor upgrade ~70 s per control plane plus pool replacements).
var DefaultTimeouts = map[plan.ActionType]time.Duration{
	plan.CreateCluster:  30 * time.Minute,
	plan.UpdateCluster:  15 * time.Minute,
	plan.SetClusterType: 20 * time.Minute,
	plan.SetClusterACL:  10 * time.Minute,
	plan.UpgradeCluster: 30 * time.Minute,
	plan.DeleteCluster:  20 * time.Minute,
	plan.CreatePool:     30 * time.Minute,
	plan.UpdatePool:     30 * time.Minute,
	plan.UpgradePool:    60 * time.Minute,
	plan.ReplacePool:    60 * time.Minute,
	plan.DeletePool:     20 * time.Minute,
	plan.RotateNode:     60 * time.Minute,
}

// Input is what Apply needs beside the plan.
type Input struct {
	// SkipStaleCheck turns off the comparison of each ClusterPlan.BasedOn with a fresh
	// observation before the cluster's first action.
	SkipStaleCheck bool
}

// Apply executes p: each cluster's actions in order, clusters in parallel. The returned error is
// only for a misuse (nil plan or provider, cancelled context before any work); per-cluster
// failures, including stale plans, are in the Result.
func (e *Executor) Apply(ctx context.Context, p *plan.Plan, in Input) (*Result, error) {
	if p == nil || e.Provider == nil {
		return nil, errMisuse
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &Result{Clusters: make([]ClusterResult, len(p.Clusters))}
	sem := make(chan struct{}, e.concurrency())
	var wg sync.WaitGroup
	for i := range p.Clusters {
		cp := &p.Clusters[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				res.Clusters[i] = notRunAll(cp, ctx.Err())
				return
			}
			defer func() { <-sem }()
			res.Clusters[i] = e.runCluster(ctx, cp, in)
		}()
	}
	wg.Wait()
	return res, nil
}

func (e *Executor) concurrency() int {
	if e.Concurrency > 0 {
		return e.Concurrency
	}
	return 4
}

func (e *Executor) clock() clock.Clock {
	if e.Clock == nil {
		return clock.RealClock{}
	}
	return e.Clock
}

func (e *Executor) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

func (e *Executor) jitter() float64 {
	if e.Jitter != nil {
		return e.Jitter()
	}
	return rand.Float64() //nolint:gosec // jitter, not security
}

func (e *Executor) pollInterval() time.Duration {
	if e.Options.PollInterval > 0 {
		return e.Options.PollInterval
	}
	return 5 * time.Second
}

func (e *Executor) progressEvery() time.Duration {
	if e.Options.ProgressEvery > 0 {
		return e.Options.ProgressEvery
	}
	return 30 * time.Second
}

func (e *Executor) timeout(t plan.ActionType) time.Duration {
	if d, ok := e.Options.Timeouts[t]; ok && d > 0 {
		return d
	}
	if d, ok := DefaultTimeouts[t]; ok {
		return d
	}
	return 30 * time.Minute
}

func (e *Executor) emit(ev Event) {
	if e.Progress == nil {
		return
	}
	ev.Time = e.clock().Now()
	e.emitMu.Lock()
	defer e.emitMu.Unlock()
	e.Progress(ev)
}

// notRunAll reports every action of cp as not-run because of err.
func notRunAll(cp *plan.ClusterPlan, err error) ClusterResult {
	cr := ClusterResult{Name: cp.Name, Region: cp.Region, ProjectID: cp.ProjectID, ID: cp.ID, State: ClusterFailed, Err: err}
	if err != nil {
		cr.Error = err.Error()
	}
	for _, a := range cp.Actions {
		cr.Actions = append(cr.Actions, ActionResult{ID: a.ID, Type: a.Type, Target: a.Target, Outcome: NotRun})
	}
	return cr
}
