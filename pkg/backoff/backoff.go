package backoff

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"k8s.io/utils/clock"
)

// Policy is an exponential backoff with a cap, bounded by a number of tries.
type Policy struct {
	// Attempts counts the tries of one call, the first included: 1 disables retrying.
	Attempts int
	// Base is the pause after the first failure (before jitter); it doubles after each other.
	Base time.Duration
	// Max caps the pause (before jitter).
	Max time.Duration
}

// Default is the retry policy of one API call: 8 tries, pausing from 1s up to 30s.
var Default = Policy{Attempts: 8, Base: time.Second, Max: 30 * time.Second}

// Or returns p with each zero (or negative) field taken from def, and Max at least Base.
func (p Policy) Or(def Policy) Policy {
	if p.Attempts <= 0 {
		p.Attempts = def.Attempts
	}
	if p.Base <= 0 {
		p.Base = def.Base
	}
	if p.Max <= 0 {
		p.Max = def.Max
	}
	p.Max = max(p.Max, p.Base)
	return p
}

// Delay is the pause after the n-th consecutive failure (n >= 1): d = min(Max, Base·2ⁿ⁻¹), then
// d/2 + jitter·d/2 for jitter in [0,1], so 1 means no jitter (the whole d).
func (p Policy) Delay(n int, jitter float64) time.Duration {
	d := p.Base
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	half := d / 2
	return half + time.Duration(jitter*float64(d-half))
}

// Sleep waits d on clk, or until ctx ends (then ctx's error). A d <= 0 does not wait.
func Sleep(ctx context.Context, clk clock.Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}

// Retry is one retry loop: a Policy and what decides and observes its retries. Only Policy is
// needed; nil fields have the defaults their comments give.
type Retry struct {
	// Policy bounds the tries and shapes the pauses; zero fields are Default's.
	Policy Policy
	// Clock is what the pauses wait on; nil is the real clock.
	Clock clock.Clock
	// Jitter returns a number in [0,1) (tests pin it); nil is math/rand/v2.
	Jitter func() float64
	// Retryable says whether err is worth another try; nil retries every error.
	Retryable func(err error) bool
	// RetryAfter returns the pause a server asked for with err (its Retry-After), 0 for none: a
	// longer one replaces the backoff's pause. Nil: none is ever known.
	RetryAfter func(err error) time.Duration
	// MaxRetryAfter: a server asking for a longer pause than this gets its error back at once,
	// for a caller that can afford the wait to decide. 0 is no limit.
	MaxRetryAfter time.Duration
	// OnRetry, when set, is told of each pause before it starts: after the n-th failure, err.
	OnRetry func(n int, pause time.Duration, err error)
}

// Do calls f until it returns nil, or an error that Retryable refuses or that is Permanent
// (returned as is, unwrapped), or until Policy.Attempts calls failed (an *ExhaustedError wrapping
// the last error). When ctx ends it stops at once: with f's error when ctx ended during the call,
// with ctx's error when during a pause.
func (r Retry) Do(ctx context.Context, f func() error) error {
	p := r.Policy.Or(Default)
	for n := 1; ; n++ {
		err := f()
		if err == nil {
			return nil
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return perm.err
		}
		if (r.Retryable != nil && !r.Retryable(err)) || ctx.Err() != nil {
			return err
		}
		if n >= p.Attempts {
			return &ExhaustedError{Attempts: p.Attempts, Err: err}
		}
		pause := p.Delay(n, r.jitter())
		if r.RetryAfter != nil {
			ra := r.RetryAfter(err)
			if r.MaxRetryAfter > 0 && ra > r.MaxRetryAfter {
				return err
			}
			pause = max(pause, ra)
		}
		if r.OnRetry != nil {
			r.OnRetry(n, pause, err)
		}
		if err := Sleep(ctx, r.clock(), pause); err != nil {
			return err
		}
	}
}

func (r Retry) jitter() float64 {
	if r.Jitter != nil {
		return r.Jitter()
	}
	return rand.Float64() //nolint:gosec // jitter, not security
}

func (r Retry) clock() clock.Clock {
	if r.Clock != nil {
		return r.Clock
	}
	return clock.RealClock{}
}

// ExhaustedError is the last error of a call whose tries all failed.
type ExhaustedError struct {
	Attempts int
	Err      error
}

func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("giving up after %d tries: %v", e.Attempts, e.Err)
}

func (e *ExhaustedError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying whatever Retryable says: Do returns err itself. For
// a call whose only retryable part is one of several steps (apply observes, then mutates).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
