package scaleway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// newInstantClock is a fake clock whose timers fire at once, recording the pauses.
func newInstantClock() *backofftest.InstantClock {
	return backofftest.NewInstantClock(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
}

// failFirst makes s answer the first k requests "METHOD path" with status (and Retry-After when
// retryAfter is not empty), then lets them through.
func failFirst(s *cannedServer, method, path string, k, status int, retryAfter string) {
	var mu sync.Mutex
	seen := 0
	s.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != method || r.URL.Path != path {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if seen >= k {
			return false
		}
		seen++
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"message":"too many requests","type":"too_many_requests"}`)
		return true
	}
}

func countPath(reqs []request, method, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// checkBackoff asserts the pauses of one request's consecutive failures: the n-th lies in
// [d/2, d] with d = min(cap, base·2^(n-1)).
func checkBackoff(t *testing.T, pauses []time.Duration, r backoff.Policy) {
	t.Helper()
	for i, got := range pauses {
		d := min(r.Max, r.Base<<i)
		if got < d/2 || got > d {
			t.Errorf("pause %d = %v, want in [%v, %v]", i+1, got, d/2, d)
		}
	}
}

func TestObserveRetriesEachRateLimitedReadAlone(t *testing.T) {
	const n = 3
	endpoints := []string{
		base + "/clusters",
		base + "/clusters/c0001/pools",
		base + "/clusters/c0002/nodes",
		base + "/versions",
	}
	for _, path := range endpoints {
		for _, k := range []int{1, backoff.Default.Attempts - 1} {
			t.Run(fmt.Sprintf("%s/%d", path, k), func(t *testing.T) {
				s := newFleetServer(t, n)
				failFirst(s, "GET", path, k, http.StatusTooManyRequests, "")
				clk := newInstantClock()
				start := time.Now()
				snap, err := s.provider(t, WithClock(clk)).Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: testProject})
				if err != nil {
					t.Fatalf("Observe with %d rate-limited GETs of %s: %v", k, path, err)
				}
				if len(snap.Clusters) != n {
					t.Fatalf("snapshot has %d clusters, want %d", len(snap.Clusters), n)
				}
				reqs := s.requests(false)
				if got, want := len(reqs), 1+2*n+1+k; got != want {
					t.Errorf("requests = %d, want %d (target %d + %d retries): %v", got, want, 1+2*n+1, k, reqs)
				}
				if got := countPath(reqs, "GET", path); got != k+1 {
					t.Errorf("GET %s sent %d times, want %d", path, got, k+1)
				}
				pauses := clk.Slept()
				if len(pauses) != k {
					t.Fatalf("pauses = %v, want %d", pauses, k)
				}
				checkBackoff(t, pauses, backoff.Default)
				if real := time.Since(start); real > 2*time.Second { // the fake clock slept, not the test
					t.Errorf("Observe took %v of real time", real)
				}
			})
		}
	}
}

func TestReadRetryGivesUpAfterAttempts(t *testing.T) {
	path := base + "/clusters/c0000/pools"
	for _, attempts := range []int{1, 3, backoff.Default.Attempts} {
		t.Run(fmt.Sprint(attempts), func(t *testing.T) {
			s := newFleetServer(t, 1)
			failFirst(s, "GET", path, 100, http.StatusServiceUnavailable, "")
			opts := []Option{}
			if attempts != backoff.Default.Attempts {
				opts = append(opts, WithReadRetry(backoff.Policy{Attempts: attempts, Base: time.Second, Max: 2 * time.Second}))
			}
			clk := newInstantClock()
			_, err := s.provider(t, append(opts, WithClock(clk))...).Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: testProject})
			var te *cloud.TransientError
			if !errors.As(err, &te) || te.Reason != "server_error" {
				t.Fatalf("Observe = %v, want a transient server_error after %d attempts", err, attempts)
			}
			if got := countPath(s.requests(false), "GET", path); got != attempts {
				t.Errorf("GET sent %d times, want %d", got, attempts)
			}
			if got := len(clk.Slept()); got != attempts-1 {
				t.Errorf("%d pauses, want %d", got, attempts-1)
			}
			if attempts == 3 {
				checkBackoff(t, clk.Slept(), backoff.Policy{Attempts: 3, Base: time.Second, Max: 2 * time.Second})
			}
		})
	}
}

func TestMutationsAndTerminalReadsAreNotRetried(t *testing.T) {
	s := newCannedServer(t, map[string]reply{
		"POST " + base + "/clusters/" + clusterID + "/upgrade": {status: 503, body: `{"message":"service unavailable","type":"service_unavailable"}`},
		"GET " + base + "/clusters/" + clusterID:               {status: 403, body: `{"message":"insufficient permissions","type":"permissions_denied","details":[]}`},
		"POST " + base + "/clusters":                           {status: 429, body: `{"message":"too many requests","type":"too_many_requests"}`},
	})
	clk := newInstantClock()
	p := s.provider(t, WithClock(clk))

	err := p.UpgradeCluster(t.Context(), "fr-par", clusterID, "1.35.3", true)
	var te *cloud.TransientError
	if !errors.As(err, &te) {
		t.Fatalf("UpgradeCluster = %v, want transient (for the caller to decide)", err)
	}
	_, err = p.CreateCluster(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: testProject}, cloud.Cluster{Name: "x", Type: "kapsule", Version: "1.35.3"})
	if !errors.As(err, &te) {
		t.Fatalf("CreateCluster = %v, want transient", err)
	}
	_, err = p.GetCluster(t.Context(), "fr-par", clusterID)
	var term *cloud.TerminalError
	if !errors.As(err, &term) {
		t.Fatalf("GetCluster = %v, want terminal", err)
	}
	reqs := s.requests(false)
	if len(reqs) != 3 {
		t.Errorf("requests = %v, want one upgrade POST, one create POST, one GET", reqs)
	}
	if p := clk.Slept(); len(p) != 0 {
		t.Errorf("paused %v, want no retry", p)
	}
}

func TestReadRetryStopsWhenTheContextEnds(t *testing.T) {
	s := newCannedServer(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	s.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/metadata" {
			return false
		}
		cancel() // the caller gives up while the server answers 503
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	clk := newInstantClock()
	_, err := s.provider(t, WithClock(clk)).GetCluster(ctx, "fr-par", clusterID)
	var te *cloud.TransientError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("GetCluster after cancel = %v, want the plain error", err)
	}
	if got := len(s.requests(false)); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
	if p := clk.Slept(); len(p) != 0 {
		t.Errorf("paused %v after the context ended", p)
	}
}

// providerFromNew builds the adapter through New (its own HTTP client, which sees Retry-After).
func providerFromNew(t *testing.T, s *cannedServer, clk *backofftest.InstantClock) *Provider {
	t.Helper()
	isolateEnv(t, filepath.Join(t.TempDir(), "missing.yaml"))
	p, err := New(WithAPIURL(s.URL), WithClock(clk),
		WithCredentials(Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey, ProjectID: testProject, Region: "fr-par"}))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func TestReadRetryHonoursRetryAfter(t *testing.T) {
	path := base + "/clusters/" + clusterID
	clk := newInstantClock()
	cases := []struct {
		name, header string
		want         time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"http-date", clk.Now().Add(12 * time.Second).UTC().Format(http.TimeFormat), 12 * time.Second},
		{"shorter than the backoff", "0", 0}, // the backoff's own pause wins
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newCannedServer(t, map[string]reply{"GET " + path: {body: clusterJSON},
				"GET " + path + "/pools": {body: listPools()}, "GET " + path + "/nodes": {body: `{"total_count":0,"nodes":[]}`}})
			failFirst(s, "GET", path, 1, http.StatusTooManyRequests, tc.header)
			clk := newInstantClock()
			c, err := providerFromNew(t, s, clk).GetCluster(t.Context(), "fr-par", clusterID)
			if err != nil || c.ID != clusterID {
				t.Fatalf("GetCluster = %+v, %v", c, err)
			}
			if got := countPath(s.requests(false), "GET", path); got != 2 {
				t.Fatalf("GET cluster sent %d times, want 2 (err %v)", got, err)
			}
			p := clk.Slept()
			if len(p) != 1 {
				t.Fatalf("pauses = %v, want 1", p)
			}
			if tc.want > 0 && p[0] != tc.want {
				t.Errorf("pause = %v, want the server's Retry-After %v", p[0], tc.want)
			}
			if tc.want == 0 && (p[0] < backoff.Default.Base/2 || p[0] > backoff.Default.Base) {
				t.Errorf("pause = %v, want the first backoff", p[0])
			}
		})
	}
	t.Run("too long", func(t *testing.T) {
		s := newCannedServer(t, nil)
		failFirst(s, "GET", path, 100, http.StatusTooManyRequests, "3600")
		clk := newInstantClock()
		_, err := providerFromNew(t, s, clk).GetCluster(t.Context(), "fr-par", clusterID)
		var te *cloud.TransientError
		if !errors.As(err, &te) || te.Reason != "rate_limited" {
			t.Fatalf("GetCluster = %v, want transient rate_limited", err)
		}
		if got := countPath(s.requests(false), "GET", path); got != 1 {
			t.Errorf("GET sent %d times, want 1: an hour's Retry-After is left to the caller", got)
		}
		if got := cloud.RetryAfter(err); got != time.Hour {
			t.Errorf("the error carries Retry-After %v, want the server's hour for the caller to wait", got)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"3", 3 * time.Second, true}, {"-4", 0, true}, {"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
