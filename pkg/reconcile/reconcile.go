package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// Mode says how far a pass goes.
type Mode int

// Modes.
const (
	ModePlan  Mode = iota // observe and plan only
	ModeApply             // then execute the plan
)

// Reconciler runs passes. Source, Provider and (for ModeApply) Exec are required.
type Reconciler struct {
	Source   Source
	Provider cloud.Provider
	Exec     *apply.Executor
	Clock    clock.PassiveClock // default: the real clock
	Log      *slog.Logger
	// Now, when non-zero, replaces the clock for planning (`--now`: windows and ages are testable).
	Now time.Time
	// DefaultProjectID and DefaultRegion fill specs that name none (scw profile, SCW_* env).
	DefaultProjectID string
	DefaultRegion    string
	// Rotate selects rotate-node actions (the rotation planner); nil plans none.
	Rotate plan.RotationFunc
	// Calendar forecasts node rotations into the plan (rotation.PlanCalendars); nil: none.
	Calendar plan.CalendarFunc
	// Owner is this repository's identity (plan.Input.Owner); the revision's reconciler.yaml
	// owner: overrides it.
	Owner string
	// LastApplied feeds the deletion check; nil: read from the status files of the revision.
	LastApplied map[string]plan.Applied
}

// Pass is everything one pass produced, for rendering and for the status writer.
type Pass struct {
	Revision  string
	Repo      *spec.Repo
	Snapshots []*cloud.Snapshot
	Plan      *plan.Plan
	// Result is nil in ModePlan, and when the plan was empty.
	Result *apply.Result
}

// Once runs one pass: plan, then in ModeApply execute a non-empty plan. Validation errors,
// observation errors and plan errors are returned (the pass stops there); per-cluster apply
// failures are in Pass.Result.
func (r *Reconciler) Once(ctx context.Context, mode Mode) (*Pass, error) {
	p, err := r.Plan(ctx)
	if err != nil || mode == ModePlan {
		return p, err
	}
	return p, r.Apply(ctx, p)
}

// Plan fetches, loads, observes and plans.
func (r *Reconciler) Plan(ctx context.Context) (*Pass, error) {
	co, err := r.Source.Fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	repo := co.Repo
	if repo == nil {
		if repo, err = spec.Load(co.FS); err != nil {
			return nil, err // an ErrorList: every problem with file, line and path; no wrapping
		}
	}
	FillProfileDefaults(repo, r.DefaultRegion, r.DefaultProjectID)
	applied := r.lastApplied(co)
	snaps, err := r.observe(ctx, repo, applied)
	if err != nil {
		return nil, err
	}
	now := r.Now
	if now.IsZero() {
		now = r.clock().Now()
	}
	p, err := plan.Compute(plan.Input{
		Revision: co.Revision, Now: now.UTC(), Desired: repo.Clusters, Snapshots: snaps,
		Owner: OwnerOf(repo, r.Owner), Prune: repo.Settings != nil && repo.Settings.Prune, LastApplied: applied, Rotate: r.Rotate,
		Calendar: r.Calendar,
	})
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return &Pass{Revision: co.Revision, Repo: repo, Snapshots: snaps, Plan: p}, nil
}

// Apply executes pass.Plan (nothing when it is empty) and stores the result in the pass.
func (r *Reconciler) Apply(ctx context.Context, pass *Pass) error {
	if pass.Plan.Empty() {
		return nil
	}
	if r.Exec == nil {
		return errors.New("apply: no executor")
	}
	var in apply.Input
	owner := OwnerOf(pass.Repo, r.Owner)
	for _, c := range pass.Repo.Clusters {
		in.Desired = append(in.Desired, plan.DesiredCluster(c, owner))
	}
	res, err := r.Exec.Apply(ctx, pass.Plan, in)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	pass.Result = res
	return nil
}

// OwnerOf is the repository identity in force: reconciler.yaml's owner: when set, else the one
// derived from where the repository was read (fallback; "" when unknown).
func OwnerOf(repo *spec.Repo, fallback string) string {
	if repo != nil && repo.Settings != nil && repo.Settings.Owner != "" {
		return repo.Settings.Owner
	}
	return fallback
}

// FillProfileDefaults gives every spec a region and project: its own, else the repo settings'
// (merged by spec.Load), else the profile's. spec is pure and cannot read the profile, hence here;
// everything that matches specs to live clusters or status files must see the same values.
func FillProfileDefaults(repo *spec.Repo, region, projectID string) {
	for _, c := range repo.Clusters {
		c.Spec.Region = cmp.Or(c.Spec.Region, region)
		c.Spec.ProjectID = cmp.Or(c.Spec.ProjectID, projectID)
	}
}

// observe takes one snapshot per distinct (region, project) of the specs and the profile, in
// sorted order.
func (r *Reconciler) observe(ctx context.Context, repo *spec.Repo, applied map[string]plan.Applied) ([]*cloud.Snapshot, error) {
	var refs []cloud.Ref
	add := func(ref cloud.Ref) {
		if ref.Region != "" && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	// The profile's scope, and every scope a status file recorded, are observed even with no
	// spec in them: a cluster whose spec was removed must still be seen, for the deletion check
	// and its warning.
	add(cloud.Ref{Region: r.DefaultRegion, ProjectID: r.DefaultProjectID})
	for key := range applied {
		if region, project, _, ok := plan.SplitKey(key); ok {
			add(cloud.Ref{Region: region, ProjectID: project})
		}
	}
	for _, c := range repo.Clusters {
		add(cloud.Ref{Region: c.Spec.Region, ProjectID: c.Spec.ProjectID})
	}
	slices.SortFunc(refs, func(a, b cloud.Ref) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.ProjectID, b.ProjectID))
	})
	snaps := make([]*cloud.Snapshot, 0, len(refs))
	for _, ref := range refs {
		// Not retried here: the provider retries each of its reads (a loop around it would
		// multiply the tries of a failing request).
		s, err := r.Provider.Observe(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("observe %s/%s: %w", ref.Region, ref.ProjectID, err)
		}
		snaps = append(snaps, s)
	}
	return snaps, nil
}

func (r *Reconciler) clock() clock.PassiveClock {
	if r.Clock == nil {
		return clock.RealClock{}
	}
	return r.Clock
}

// lastApplied is the injected record, else what the revision's status/ files say (a file left
// out, too large or not a regular file, is logged and counts as absent).
func (r *Reconciler) lastApplied(co *Checkout) map[string]plan.Applied {
	if r.LastApplied != nil {
		return r.LastApplied
	}
	applied, skipped := status.LastAppliedFrom(co.FS)
	if r.Log != nil {
		for _, err := range skipped {
			r.Log.Warn("status file ignored", "err", err)
		}
	}
	return applied
}
