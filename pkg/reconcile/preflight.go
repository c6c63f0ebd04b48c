package reconcile

import (
	"context"

	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/preflight"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// Prechecker reads the pre-flight facts the requests ask for (*preflight.Checker); a cluster it
// cannot read is reported in its result, never as an error.
type Prechecker interface {
	Check(ctx context.Context, reqs []plan.PreflightRequest) map[string]*plan.Preflight
}

// fleetInput adds the rollout policy of the revision and the recorded health times to in.
func (r *Reconciler) fleetInput(in *plan.Input, co *checkout.Checkout, repo *spec.Repo) {
	if repo.Settings != nil && repo.Settings.Rollout != nil {
		ro := repo.Settings.Rollout
		in.Rollout = plan.Rollout{Soak: ro.SoakTime(), HaltOn: ro.HaltSet()}
	}
	in.Health, in.Elsewhere = r.Health, r.Elsewhere
	if in.Health == nil && co != nil && co.FS != nil {
		files, _ := status.ReadFiles(co.FS) // skipped files are logged by lastApplied
		in.Health = status.HealthFrom(files)
	}
}

// prechecker is the Prechecker in force: Preflight, else, when reconciler.yaml turns the
// pre-flight on, a preflight.Checker reading kubeconfigs from the provider; nil: none.
func (r *Reconciler) prechecker(repo *spec.Repo) Prechecker {
	if r.Preflight != nil {
		return r.Preflight
	}
	if repo == nil || repo.Settings == nil || repo.Settings.Preflight == nil || !repo.Settings.Preflight.Enabled || r.Provider == nil {
		return nil
	}
	return &preflight.Checker{Kubeconfig: r.Provider.Kubeconfig, Timeout: repo.Settings.Preflight.Timeout.Duration, Log: r.Log}
}

// preflightPlan plans in; with a Prechecker, the draft plan's hops and disrupted pools are
// checked and the plan is made again with what was found (only those clusters are read).
func (r *Reconciler) preflightPlan(ctx context.Context, in plan.Input, pc Prechecker) (*plan.Plan, error) {
	p, err := plan.Compute(in)
	if err != nil || pc == nil {
		return p, err
	}
	reqs := plan.PreflightRequests(in, p)
	if len(reqs) == 0 {
		return p, nil
	}
	in.Preflight = pc.Check(ctx, reqs)
	return plan.Compute(in)
}
