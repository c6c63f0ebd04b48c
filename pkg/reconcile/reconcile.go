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
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
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

// Reconciler runs passes over loaded revisions. Provider and (for ModeApply) Exec are required.
type Reconciler struct {
	Provider cloud.Provider
	Exec     *apply.Executor
	Clock    clock.PassiveClock // default: the real clock
	Log      *slog.Logger
	// Now, when non-zero, replaces the clock for planning (`--now`: windows and ages are testable).
	Now time.Time
	// DefaultProjectID and DefaultRegion fill specs that name none (scw profile, SCW_* env).
	DefaultProjectID string
	DefaultRegion    string
	// Rotate plans node rotation and its calendar (plan.Input.Rotate).
	Rotate bool
	// Owner is this repository's identity (plan.Input.Owner); the revision's reconciler.yaml
	// owner: overrides it.
	Owner string
	// LastApplied feeds the deletion check; nil: read from the status files of the revision.
	LastApplied map[string]plan.Applied
	// Health is the rollout's record of each cluster's health (plan.Input.Health); nil: read
	// from the status files of the revision.
	Health map[string]plan.Health
	// Elsewhere are the clusters of the revision another replica plans (plan.Input.Elsewhere:
	// run --shards), for the rollout's waves; nil: the repo passed is the whole fleet.
	Elsewhere *plan.Elsewhere
	// Keep, when set, limits the pass to the live clusters it accepts by region and name (run
	// --shards: this replica's shards): the others are not read beyond the cluster list, not
	// planned, not deleted, not reported as orphans. The repo passed should hold only the
	// specs Keep accepts.
	Keep func(region, name string) bool
	// Preflight, when set, reads from the clusters what the plan's minor hops and drains would
	// meet (package preflight), between a draft plan and the final one (preflight.go); nil: a
	// preflight.Checker on Provider when reconciler.yaml says preflight: {enabled: true}.
	Preflight Prechecker
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

// Once runs one pass over the revision co, loaded as repo: plan, then in ModeApply execute a
// non-empty plan. Observation and plan errors are returned (the pass stops there); per-cluster
// apply failures are in Pass.Result.
func (r *Reconciler) Once(ctx context.Context, mode Mode, co *checkout.Checkout, repo *spec.Repo) (*Pass, error) {
	p, err := r.Plan(ctx, co, repo)
	if err != nil || mode == ModePlan {
		return p, err
	}
	return p, r.Apply(ctx, p)
}

// Plan observes what the revision needs and plans it.
func (r *Reconciler) Plan(ctx context.Context, co *checkout.Checkout, repo *spec.Repo) (*Pass, error) {
	applied := r.lastApplied(co)
	snaps, err := r.Observe(ctx, r.scopes(repo, applied)...)
	if err != nil {
		return nil, err
	}
	return r.planObserved(ctx, co, repo, snaps, applied)
}

// Scopes are the region+project pairs a revision needs observed, sorted: the profile's, every
// scope a status file recorded (a cluster whose spec was removed must still be seen, for the
// deletion rule and its warning), and every spec's.
func (r *Reconciler) Scopes(co *checkout.Checkout, repo *spec.Repo) []cloud.Ref {
	return r.scopes(repo, r.lastApplied(co))
}

func (r *Reconciler) scopes(repo *spec.Repo, applied map[string]plan.Applied) []cloud.Ref {
	FillProfileDefaults(repo, r.DefaultRegion, r.DefaultProjectID)
	var refs []cloud.Ref
	add := func(ref cloud.Ref) {
		if ref.Region != "" && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
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
	return refs
}

// Observe takes one snapshot per scope, in order. Each read is retried inside the provider.
func (r *Reconciler) Observe(ctx context.Context, refs ...cloud.Ref) ([]*cloud.Snapshot, error) {
	snaps := make([]*cloud.Snapshot, 0, len(refs))
	for _, ref := range refs {
		s, err := r.observe(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("observe %s/%s: %w", ref.Region, ref.ProjectID, err)
		}
		snaps = append(snaps, s)
	}
	return snaps, nil
}

// observe takes ref's snapshot, limited to the clusters r.Keep accepts: narrowed in the
// provider when it can (cloud.ScopedObserver), else filtered here.
func (r *Reconciler) observe(ctx context.Context, ref cloud.Ref) (*cloud.Snapshot, error) {
	if r.Keep == nil {
		return r.Provider.Observe(ctx, ref)
	}
	if so, ok := r.Provider.(cloud.ScopedObserver); ok {
		return so.ObserveScoped(ctx, ref, r.Keep)
	}
	s, err := r.Provider.Observe(ctx, ref)
	if err != nil || s == nil {
		return s, err
	}
	out := *s
	out.Clusters = nil
	for _, c := range s.Clusters {
		region := c.Region
		if region == "" {
			region = ref.Region
		}
		if r.Keep(region, c.Name) {
			out.Clusters = append(out.Clusters, c)
		} else {
			c.Pools = nil
			out.Others = append(out.Others, c)
		}
	}
	return &out, nil
}

// PlanObserved plans the revision co, loaded as repo, against snapshots already taken (a
// preview plans base and head against the same ones). As Plan does, it first completes snaps
// with the node-type catalogs of the zones the specs use and the access list of every live
// cluster whose spec declares spec.acl (Observe reads neither; each read once, kept in snaps, so
// base and head share it): otherwise a preview would check no node type and show no
// set-cluster-acl where the loop does.
func (r *Reconciler) PlanObserved(ctx context.Context, co *checkout.Checkout, repo *spec.Repo, snaps []*cloud.Snapshot) (*Pass, error) {
	// ctx bounds its reads: the live ACLs, available versions and the pre-flight (each also
	// bounded on its own: provider retries, preflight.Checker.Timeout).
	return r.planObserved(ctx, co, repo, snaps, r.lastApplied(co))
}

// planObserved completes snaps with what only some specs need (their zones' node types, the
// live ACLs of clusters that declare one; each read once per pass) and plans.
func (r *Reconciler) planObserved(ctx context.Context, co *checkout.Checkout, repo *spec.Repo, snaps []*cloud.Snapshot, applied map[string]plan.Applied) (*Pass, error) {
	FillProfileDefaults(repo, r.DefaultRegion, r.DefaultProjectID) // the scopes both match specs in
	if err := r.observeZones(ctx, snaps, repo); err != nil {
		return nil, err
	}
	if err := r.observeACLs(ctx, repo, snaps); err != nil {
		return nil, err
	}
	return r.planWith(ctx, co, repo, snaps, applied)
}

func (r *Reconciler) planWith(ctx context.Context, co *checkout.Checkout, repo *spec.Repo, snaps []*cloud.Snapshot, applied map[string]plan.Applied) (*Pass, error) {
	FillProfileDefaults(repo, r.DefaultRegion, r.DefaultProjectID)
	now := r.Now
	if now.IsZero() {
		now = r.clock().Now()
	}
	owner, err := OwnerOf(repo, r.Owner)
	if err != nil {
		return nil, err
	}
	r.observeTargets(ctx, repo, snaps, now.UTC())
	in := plan.Input{
		Revision: co.Revision, Now: now.UTC(), Desired: repo.Clusters, Snapshots: snaps,
		Owner: owner, Prune: repo.Settings != nil && repo.Settings.Prune, LastApplied: applied, Rotate: r.Rotate,
	}
	r.fleetInput(&in, co, repo)
	p, err := r.preflightPlan(ctx, in, r.prechecker(repo))
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
	res, err := r.Exec.Apply(ctx, pass.Plan, apply.Input{})
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	pass.Result = res
	return nil
}

// OwnerOf is the repository identity in force: the operator's (--owner, else derived from where
// the repository was read). reconciler.yaml's owner: only declares it: a committed file cannot
// choose which live clusters are this repository's (a committer could otherwise name another
// repository's identity and take its clusters), so when it differs the pass stops with an
// *OwnerMismatchError. Without an operator identity (a local directory with no git origin),
// owner: is the identity.
func OwnerOf(repo *spec.Repo, operator string) (string, error) {
	declared := ""
	if repo != nil && repo.Settings != nil {
		declared = repo.Settings.Owner
	}
	switch {
	case operator == "":
		return declared, nil
	case declared != "" && declared != operator:
		return "", &OwnerMismatchError{Declared: declared, Operator: operator}
	}
	return operator, nil
}

// OwnerMismatchError: reconciler.yaml declares an owner other than the operator's identity.
type OwnerMismatchError struct{ Declared, Operator string }

func (e *OwnerMismatchError) Error() string {
	return fmt.Sprintf("reconciler.yaml: owner: %q is not this reconciler's identity %q (--owner, else derived from the repository URL and branch); "+
		"a committed file cannot choose which clusters are owned: run with --owner %s to take that identity, or remove owner:",
		e.Declared, e.Operator, e.Declared)
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

func (r *Reconciler) clock() clock.PassiveClock {
	if r.Clock == nil {
		return clock.RealClock{}
	}
	return r.Clock
}

// lastApplied is the injected record, else what the revision's status/ files say (a file left
// out, too large or not a regular file, is logged and counts as absent).
func (r *Reconciler) lastApplied(co *checkout.Checkout) map[string]plan.Applied {
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
