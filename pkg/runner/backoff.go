package runner

import (
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
)

// maxRetryAfterWait caps the pause a Retry-After makes the loop take.
const maxRetryAfterWait = time.Hour

// backOff spaces the retry passes after consecutive failed ticks (an API answering 429/503, Git
// unreachable): the next retry pass comes a backoff doubling from the interval up to the drift
// interval after this one, and not before the Retry-After the API gave (up to an hour), so a
// storm is not met with a full pass every interval. The loop still fetches every interval: a
// new revision, a window or a webhook runs a pass at once.
func (r *Runner) backOff(h Health) {
	n := r.ConsecutiveFailures()
	now := r.clock().Now()
	p := backoff.Policy{Base: r.interval(), Max: max(r.driftInterval(), r.interval())}
	// Half an interval early: the tick that comes about one backoff later (jitter) runs it.
	at := now.Add(p.Delay(n, 1) - r.interval()/2)
	if ra := min(h.RetryAfter, maxRetryAfterWait); now.Add(ra).After(at) {
		at = now.Add(ra)
	}
	r.state.retryAt = at
	if n > 1 || h.RetryAfter > 0 {
		r.log().Warn("backing off after failed ticks", "failures", n, "retryAfter", h.RetryAfter, "nextRetry", at.Sub(now).Round(time.Second))
	}
}
