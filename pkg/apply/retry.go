package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// mutationRetry is the retry of action a's mutation: transient errors are retried under
// Options.Retry (zero fields: backoff.Default) on the injected clock, each pause reported as an
// EventRetry. Reads are not retried here: the provider retries each of its reads.
func (e *Executor) mutationRetry(ctx context.Context, cluster string, a plan.Action) backoff.Retry {
	return backoff.Retry{
		Policy: e.Options.Retry, Clock: e.clock(), Jitter: e.jitter, Retryable: cloud.IsTransient,
		OnRetry: func(_ int, d time.Duration, err error) {
			e.log().DebugContext(ctx, "retrying transient error", "cluster", cluster, "action", a.ID, "delay", d, "err", err)
			e.emit(Event{Kind: EventRetry, Cluster: cluster, ActionID: a.ID, Type: a.Type,
				Message: fmt.Sprintf("%s: retrying in %s: %v", a.ID, d.Round(time.Millisecond), err)})
		},
	}
}
