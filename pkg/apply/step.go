package apply

import (
	"context"
	"fmt"

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
	e := r.e
	p := e.Options.Retry.withDefaults()
	outcome, reason := Done, ""
	for n := 0; ; n++ {
		c, err := r.observe(ctx)
		if err != nil {
			return Failed, "", err
		}
		ok, why, err := s.check(c)
		if err != nil {
			return Failed, "", err
		}
		if ok {
			if n == 0 {
				outcome, reason = Skipped, why
			}
			break
		}
		err = s.mutate(ctx, c)
		if err == nil {
			break
		}
		if !cloud.IsTransient(err) {
			return Failed, "", err
		}
		if n+1 >= p.Attempts {
			return Failed, "", fmt.Errorf("giving up after %d tries: %w", p.Attempts, err)
		}
		d := e.backoff(n)
		e.emit(Event{Kind: EventRetry, Cluster: r.cp.Name, ActionID: a.ID, Type: a.Type,
			Message: fmt.Sprintf("%s: retrying in %s: %v", a.ID, d.Round(1e6), err)})
		if err := e.sleep(ctx, d); err != nil {
			return Failed, "", err
		}
	}
	if s.ready != nil {
		if err := r.waitFor(ctx, a, s.what, s.ready); err != nil {
			return Failed, "", err
		}
	}
	return outcome, reason, nil
}
