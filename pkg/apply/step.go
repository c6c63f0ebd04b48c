package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"

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
	// creates: mutate makes a new resource, so sending it twice makes two (a create-cluster: names
	// are not unique at Scaleway). After an answer lost in a way that leaves the outcome unknown
	// (outcomeUnknown), the retries only observe, for the resource to show; the next pass sends
	// it again when it never did.
	creates bool
}

// outcomeUnknown: the request may have been carried out although its answer says nothing of it:
// no answer at all (a timeout, a cut connection) or a gateway that stopped waiting for the API
// (504). An answer from the API refusing the request (429, 409 transient_state, 500, 502, 503)
// says nothing was done, so the create is sent again: a pass under such errors still converges.
func outcomeUnknown(err error) bool {
	var te *cloud.TransientError
	return errors.As(err, &te) && (te.Reason == "network" || te.Status == http.StatusGatewayTimeout)
}

// run executes s: observe, check, mutate; on a transient error it observes again before the next
// try, so a call that went through although its answer was lost (a 503 after the fact, a dropped
// connection) is never repeated. Then it waits for readiness, also after a skip, so the next
// action does not meet a resource still in transition.
func (r *clusterRun) run(ctx context.Context, a plan.Action, s step) (Outcome, string, error) {
	outcome, reason := Done, ""
	tries := 0
	var sent error // a create whose outcome is unknown: not sent again in this pass
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
		if sent != nil {
			return fmt.Errorf("%w (its outcome is unknown: not sent again before the next pass looks)", sent)
		}
		err = s.mutate(ctx, c)
		if s.creates && outcomeUnknown(err) {
			sent = err
		}
		return err
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
