package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// passResult is one observe → plan → apply pass over the revision in force.
type passResult struct {
	// first is the pass that planned (and applied); after is a fresh plan made after an apply
	// that did something, so the status shows what remains rather than what was done.
	first   *reconcile.Pass
	after   *reconcile.Pass
	applied *apply.Result
}

// final is the pass whose observation and plan describe the state after this tick.
func (p *passResult) final() *reconcile.Pass {
	if p == nil {
		return nil
	}
	if p.after != nil {
		return p.after
	}
	return p.first
}

// retryable reports whether a cluster of the apply failed in a way the next tick can fix: a
// transient error or a stale plan. A terminal failure waits for a new revision or the drift
// interval, like the status's Stalled condition says.
func (p *passResult) retryable() bool {
	if p == nil || p.applied == nil {
		return false
	}
	for _, c := range p.applied.Clusters {
		if c.State == apply.ClusterStale || (c.State == apply.ClusterFailed && retryable(c.Err)) {
			return true
		}
	}
	return false
}

// inTransition reports whether the final plan left work deferred because a cluster or pool is
// not ready (creating, updating, upgrading, scaling): a transition that ends by itself, such as
// the upgrade a process killed mid-apply had sent. The loop then passes again at the next tick,
// so the work waiting for it resumes when it ends, not at the next drift check. Locked clusters
// are not in transition (Scaleway's lock ends by a support action).
func (p *passResult) inTransition() bool {
	f := p.final()
	if f == nil || f.Plan == nil {
		return false
	}
	for _, c := range f.Plan.Clusters {
		for _, d := range c.Deferred {
			if d.Why == plan.WhyNotReady {
				return true
			}
		}
	}
	return false
}

// retryable reports whether err is worth a pass at the next tick rather than at the drift
// interval: a transient error (429, 5xx, network, retries exhausted) or a stale plan.
func retryable(err error) bool {
	var stale *apply.StalePlanError
	return err != nil && (cloud.IsTransient(err) || errors.As(err, &stale))
}

func (r *Runner) reconciler(now time.Time) *reconcile.Reconciler {
	var keep func(region, name string) bool
	if set := r.state.set; set != nil {
		keep = keepShards(*set)
	}
	return &reconcile.Reconciler{
		Provider: r.Provider, Exec: r.Exec, Keep: keep,
		Clock: r.clock(), Log: r.Log, Now: now,
		DefaultProjectID: r.DefaultProjectID, DefaultRegion: r.DefaultRegion,
		Rotate: true, LastApplied: r.lastApplied(), Owner: r.owner(), Health: r.recordedHealth(),
		Elsewhere: r.state.elsewhere,
	}
}

// pass plans and applies the revision in force; when apply did something it plans again.
func (r *Runner) pass(ctx context.Context, now time.Time, mode reconcile.Mode) (*passResult, error) {
	rec := r.reconciler(now)
	good := &goodRevision{checkout: r.state.good.checkout, repo: ownedRepo(r.state.good.repo, r.state.set)}
	first, err := rec.Once(ctx, mode, good.checkout, good.repo)
	out := &passResult{first: first}
	if err != nil {
		return out, err
	}
	out.applied = first.Result
	if first.Plan != nil {
		s := first.Plan.Summary
		r.notify("planned", "plan for %s%s: %d create, %d update, %d upgrade, %d replace, %d delete, %d rotate, %d deferred",
			revision.Short(first.Revision), shardNote(r.state.set), s.Create, s.Update, s.Upgrade, s.Replace, s.Delete, s.Rotate, s.Deferred)
	}
	if first.Result == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		// Stopping (SIGTERM at a rolling restart) or no longer leading: the apply was cut short,
		// nothing failed. No ERROR lines, no plan after it; the next pass looks again.
		r.notify("interrupted", "apply of %s interrupted (%v): %d done; the actions already sent go on at Scaleway",
			revision.Short(first.Revision), context.Cause(ctx), first.Result.Count(apply.Done))
		return out, fmt.Errorf("pass interrupted: %w", context.Cause(ctx))
	}
	r.notify("applied", "applied %s: %d done, %d skipped, %d failed", revision.Short(first.Revision),
		first.Result.Count(apply.Done), first.Result.Count(apply.Skipped), first.Result.Count(apply.Failed))
	for _, f := range applyFailures(first.Result) {
		r.notify("error", "apply of %s failed: %s", revision.Short(first.Revision), f)
	}
	rec.Now = r.clock().Now()
	after, err := rec.Once(ctx, reconcile.ModePlan, good.checkout, good.repo)
	if err != nil {
		return out, fmt.Errorf("plan after apply: %w", err)
	}
	out.after = after
	return out, nil
}

// owner is the repository identity: Owner, else the source's (its URL and branch).
func (r *Runner) owner() string {
	if r.Owner != "" {
		return r.Owner
	}
	if id, ok := r.Source.(interface{ Identity() string }); ok {
		return id.Identity()
	}
	return ""
}

// lastApplied is what the statuses known record, for the deletion rule.
// With sharding, of the held shards' clusters only.
func (r *Runner) lastApplied() map[string]plan.Applied {
	return ownedApplied(status.Recorded(r.state.statuses), r.state.set)
}

// windowOpen reports whether an upgrade or rotation window of the repo is open at now: passes
// then run every tick, so work deferred to the window starts as soon as it opens. An invalid
// window is never open (the plan reports it and defers the work).
func windowOpen(repo *spec.Repo, now time.Time) bool {
	for _, w := range repoWindows(repo) {
		if win, err := w.Parse(); err == nil {
			if _, ok := win.Active(now); ok {
				return true
			}
		}
	}
	return false
}

// Windows lists every upgrade and rotation window of the revision in force, for cron.
func (r *Runner) Windows() []spec.Window {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state.good == nil {
		return nil
	}
	return repoWindows(r.state.good.repo)
}

// repoWindows lists the clusters' upgrade windows and their pools' rotation windows.
func repoWindows(repo *spec.Repo) []spec.Window {
	var out []spec.Window
	for _, c := range repo.Clusters {
		if c.Spec.Upgrade != nil && c.Spec.Upgrade.Window != nil {
			out = append(out, *c.Spec.Upgrade.Window)
		}
		for _, p := range c.Spec.Pools {
			if p.Rotation != nil && p.Rotation.Window != nil {
				out = append(out, *p.Rotation.Window)
			}
		}
	}
	return out
}
