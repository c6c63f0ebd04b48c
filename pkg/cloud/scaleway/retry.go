package scaleway

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// maxRetryAfter: a server asking for a longer pause than this gets the error back at once; the
// caller (the next pass) is a better place to wait that long.
const maxRetryAfter = time.Minute

// WithReadRetry sets the retry policy of reads (each GET on its own); zero fields are
// backoff.Default's. Attempts counts the first try: 1 disables retrying.
func WithReadRetry(p backoff.Policy) Option { return func(o *options) { o.retry = p } }

// WithClock sets the clock the read retry sleeps on (tests use a fake one).
func WithClock(c clock.WithTicker) Option { return func(o *options) { o.clock = c } }

// read runs one idempotent read (one HTTP GET) and retries it under p.retry while the adapter
// classifies its error as transient, never once ctx is done. A Retry-After the server sent (seen
// by the HTTP client of New) lengthens the pause. It returns the SDK's error of the last try, for
// the caller to map. Mutations must never come here: a retried POST could act twice.
func (p *Provider) read(ctx context.Context, call func(ctx context.Context) error) error {
	var hint *retryHint
	err := backoff.Retry{
		Policy: p.retry, Clock: p.clock, MaxRetryAfter: maxRetryAfter,
		Retryable:  func(err error) bool { return cloud.IsTransient(mapError(ctx, err, p.secret)) },
		RetryAfter: func(error) time.Duration { return hint.get() },
	}.Do(ctx, func() error {
		hint = &retryHint{}
		return call(context.WithValue(ctx, retryHintKey{}, hint))
	})
	var ex *backoff.ExhaustedError
	if errors.As(err, &ex) {
		err = ex.Err
	}
	if d := hint.get(); err != nil && d > 0 {
		// Kept for mapError: the loop waits that long before its next pass.
		return &retryAfterError{err: err, after: d}
	}
	return err
}

// retryAfterError is a read's last error with the Retry-After its response carried.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

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
	if h == nil {
		return 0
	}
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
