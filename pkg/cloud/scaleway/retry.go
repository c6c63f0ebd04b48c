package scaleway

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Read retry defaults: five attempts, backoff doubling from 200ms up to 5s, with jitter.
const (
	DefaultReadAttempts = 5
	DefaultReadBase     = 200 * time.Millisecond
	DefaultReadCap      = 5 * time.Second

	// maxRetryAfter: a server asking for a longer pause than this gets the error back at once;
	// the caller's own retry (reconcile's) is a better place to wait that long.
	maxRetryAfter = time.Minute
)

// ReadRetry bounds the per-request retry of reads (GET). Attempts counts the first try: 1
// disables retrying.
type ReadRetry struct {
	Attempts  int
	Base, Cap time.Duration
}

// WithReadRetry sets the read retry policy; zero fields keep the defaults.
func WithReadRetry(r ReadRetry) Option { return func(o *options) { o.retry = r } }

// WithClock sets the clock the read retry sleeps on (tests use a fake one).
func WithClock(c clock.WithTicker) Option { return func(o *options) { o.clock = c } }

func (r ReadRetry) withDefaults() ReadRetry {
	if r.Attempts <= 0 {
		r.Attempts = DefaultReadAttempts
	}
	if r.Base <= 0 {
		r.Base = DefaultReadBase
	}
	if r.Cap <= 0 {
		r.Cap = DefaultReadCap
	}
	r.Cap = max(r.Cap, r.Base)
	return r
}

// backoff is the pause before attempt n+1 after n failed attempts (n >= 1): equal jitter over
// min(cap, base·2^(n-1)), so it lies in [d/2, d].
func (r ReadRetry) backoff(n int) time.Duration {
	d := r.Cap
	if n-1 < 32 {
		d = min(r.Cap, r.Base<<(n-1))
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// read runs one idempotent read (one HTTP GET) and retries it while the adapter classifies its
// error as transient, at most r.Attempts times, never once ctx is done. A Retry-After the
// server sent (seen by the HTTP client of New) lengthens the pause. Mutations must never come
// here: a retried POST could act twice.
func (p *Provider) read(ctx context.Context, call func(ctx context.Context) error) error {
	for attempt := 1; ; attempt++ {
		hint := &retryHint{}
		err := call(context.WithValue(ctx, retryHintKey{}, hint))
		if err == nil || attempt >= p.retry.Attempts || ctx.Err() != nil {
			return err
		}
		var te *cloud.TransientError
		if !errors.As(mapError(ctx, err, p.secret), &te) {
			return err
		}
		pause := p.retry.backoff(attempt)
		if ra := hint.get(); ra > maxRetryAfter {
			return err
		} else if ra > pause {
			pause = ra
		}
		if !p.sleep(ctx, pause) {
			return err
		}
	}
}

// sleep waits d on the provider's clock; false when ctx ended first.
func (p *Provider) sleep(ctx context.Context, d time.Duration) bool {
	t := p.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	}
}

// retryHint carries the Retry-After of a failed response from the HTTP client back to read: the
// SDK's errors drop the response headers.
type retryHint struct {
	mu    sync.Mutex
	after time.Duration
}

type retryHintKey struct{}

func (h *retryHint) set(d time.Duration) {
	h.mu.Lock()
	h.after = d
	h.mu.Unlock()
}

func (h *retryHint) get() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.after
}

// retryAfterTransport wraps the transport of the HTTP client New gives the SDK: it notes the
// Retry-After of 429 and 503 responses in the request's retryHint, if any. It stays under an
// *http.Client so the SDK's insecure mode and request logging still apply.
type retryAfterTransport struct {
	inner http.RoundTripper
	now   func() time.Time
}

func (t *retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.inner.RoundTrip(req)
	if err != nil || (res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusServiceUnavailable) {
		return res, err
	}
	if h, ok := req.Context().Value(retryHintKey{}).(*retryHint); ok {
		if d, ok := parseRetryAfter(res.Header.Get("Retry-After"), t.now()); ok {
			h.set(d)
		}
	}
	return res, err
}

// SetInsecureTransport lets the SDK's insecure mode (SCW_INSECURE) reach the wrapped transport.
func (t *retryAfterTransport) SetInsecureTransport() {
	if tr, ok := t.inner.(*http.Transport); ok {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		tr.TLSClientConfig.InsecureSkipVerify = true
	}
}

// withRetryAfter returns a copy of h (nil: the SDK's default client) whose transport notes
// Retry-After.
func withRetryAfter(h *http.Client, now func() time.Time) *http.Client {
	out := &http.Client{Timeout: 30 * time.Second} // the SDK's default
	if h != nil {
		c := *h
		out = &c
	}
	inner := out.Transport
	if inner == nil {
		inner = http.DefaultTransport.(*http.Transport).Clone()
	}
	out.Transport = &retryAfterTransport{inner: inner, now: now}
	return out
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
