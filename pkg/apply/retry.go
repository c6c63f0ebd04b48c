package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 8
	}
	if p.Base <= 0 {
		p.Base = time.Second
	}
	if p.Max <= 0 {
		p.Max = 30 * time.Second
	}
	return p
}

// backoff is the delay before retry n (0-based): Base·2ⁿ capped at Max, then "equal jitter"
// (half fixed, half random) so that parallel clusters do not retry in lockstep.
func (e *Executor) backoff(n int) time.Duration {
	p := e.Options.Retry.withDefaults()
	d := p.Base
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return d/2 + time.Duration(e.jitter()*float64(d/2))
}

// retry calls f until it succeeds, fails with a non-transient error, or the attempts run out.
// Between tries it waits on the injected clock.
func (e *Executor) retry(ctx context.Context, cluster, actionID string, f func() error) error {
	p := e.Options.Retry.withDefaults()
	for n := 0; ; n++ {
		err := f()
		if err == nil || !cloud.IsTransient(err) {
			return err
		}
		if n+1 >= p.Attempts {
			return fmt.Errorf("giving up after %d tries: %w", p.Attempts, err)
		}
		d := e.backoff(n)
		e.log().DebugContext(ctx, "retrying transient error", "cluster", cluster, "action", actionID, "delay", d, "err", err)
		e.emit(Event{Kind: EventRetry, Cluster: cluster, ActionID: actionID,
			Message: fmt.Sprintf("retrying in %s: %v", d.Round(time.Millisecond), err)})
		if err := e.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleep waits d on the injected clock, or until ctx is done.
func (e *Executor) sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-e.clock().After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retry calls f with the executor's retry policy and clock: transient errors are retried with
// backoff, anything else is returned at once. The reconcile pass uses it for observations.
func (e *Executor) Retry(ctx context.Context, f func() error) error {
	return e.retry(ctx, "", "", f)
}
