package runner

import (
	"context"
	"fmt"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// RecordPass writes the statuses and reports of a pass made outside the loop (`reconciler
// apply` on a git URL) with the loop's own code: the checkout co and its loaded repo are taken
// as the revision in force, the previous statuses are read from the repository, a pass that
// applied something is planned again for the final state, and the commit is made only when a
// status changed. It returns the status commit ("" when nothing changed).
func (r *Runner) RecordPass(ctx context.Context, co *checkout.Checkout, repo *spec.Repo, first *reconcile.Pass) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.loadPreviousStatuses(ctx, co); err != nil {
		return "", fmt.Errorf("read previous statuses: %w", err)
	}
	co = r.specRevision(co)
	r.state.good = &goodRevision{checkout: co, repo: repo}
	r.state.lastDigest, r.state.lastRevision = co.SpecDigest, co.Revision
	pr := &passResult{first: first, applied: first.Result}
	var perr error
	if first.Result != nil {
		pr.after, perr = r.reconciler(r.clock().Now()).Once(ctx, reconcile.ModePlan, co, repo)
		if perr != nil {
			perr = fmt.Errorf("plan after apply: %w", perr)
		}
	}
	res := &TickResult{Revision: co.Revision, Why: "apply", Planned: true}
	if first.Result != nil {
		res.Applied = first.Result.Count(apply.Done)
	}
	if err := r.writeStatuses(ctx, co, &passOutcome{pass: pr, err: perr}, res); err != nil {
		return "", err
	}
	return res.StatusCommit, nil
}
