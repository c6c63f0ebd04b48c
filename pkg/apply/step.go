package apply

import (
	"context"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// step is one idempotent mutation: check says whether fresh state already satisfies it (and why),
// mutate makes the call, ready is what to wait for afterwards.
type step struct {
	what   string // "cluster prod-par to be ready"
	check  func(c *cloud.Cluster) (satisfied bool, reason string, err error)
	mutate func(ctx context.Context, c *cloud.Cluster) error
	ready  readyFunc
}

// run executes s: observe, check, mutate; on a transient error it observes again before the next
// try, so a call that went through although its answer was lost (a 503 after the fact, a dropped
// connection) is never repeated. Then it waits for readiness, also after a skip, so the next
// action does not meet a resource still in transition.
func (r *clusterRun) run(ctx context.Context, a plan.Action, s step) (Outcome, string, error) {
	outcome, reason := Done, ""
	tries := 0
	err := r.e.mutationRetry(ctx, r.cp.Name, a).Do(ctx, func() error {
		tries++
		c, err := r.observe(ctx)
		if err != nil {
			return backoff.Permanent(err) // the provider retried the read already
		}
		ok, why, err := s.check(c)
		if err != nil {
			return backoff.Permanent(err)
		}
		if ok {
			if tries == 1 {
				outcome, reason = Skipped, why
			}
			return nil
		}
		return s.mutate(ctx, c)
	})
	if err != nil {
		return Failed, "", err
	}
	if s.ready != nil {
		if err := r.waitFor(ctx, a, s.what, s.ready); err != nil {
			return Failed, "", err
		}
	}
	return outcome, reason, nil
}
