package backoff

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
)

func newInstantClock() *backofftest.InstantClock {
	return backofftest.NewInstantClock(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
}

var (
	errBusy = errors.New("busy")
	errGone = errors.New("gone")
)

func TestDelayDoublesUpToTheCapWithEqualJitter(t *testing.T) {
	p := Policy{Base: time.Second, Max: 5 * time.Second}
	for _, tc := range []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{1, 1, time.Second}, {1, 0, 500 * time.Millisecond}, {1, 0.5, 750 * time.Millisecond},
		{2, 1, 2 * time.Second}, {3, 1, 4 * time.Second}, {4, 1, 5 * time.Second}, {4, 0, 2500 * time.Millisecond},
		{100, 1, 5 * time.Second}, // no overflow however many failures
	} {
		if got := p.Delay(tc.n, tc.jitter); got != tc.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tc.n, tc.jitter, got, tc.want)
		}
	}
}

func TestOrFillsZeroFieldsAndKeepsMaxAtLeastBase(t *testing.T) {
	got := Policy{Attempts: 3, Base: time.Minute}.Or(Default)
	if want := (Policy{Attempts: 3, Base: time.Minute, Max: time.Minute}); got != want {
		t.Errorf("Or = %+v, want %+v", got, want)
	}
	if got := (Policy{}).Or(Default); got != Default {
		t.Errorf("zero.Or(Default) = %+v, want Default", got)
	}
}

func TestDoRetriesWithBackoffUntilSuccess(t *testing.T) {
	clk := newInstantClock()
	calls := 0
	var told []time.Duration
	r := Retry{Policy: Policy{Attempts: 5, Base: time.Second, Max: 3 * time.Second}, Clock: clk,
		Jitter:  func() float64 { return 0.5 },
		OnRetry: func(n int, d time.Duration, err error) { told = append(told, d) }}

	err := r.Do(t.Context(), func() error {
		if calls++; calls < 4 {
			return errBusy
		}
		return nil
	})

	if err != nil || calls != 4 {
		t.Fatalf("Do = %v after %d calls, want success at the 4th", err, calls)
	}
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 2250 * time.Millisecond}
	if diff := cmp.Diff(want, clk.Slept()); diff != "" {
		t.Errorf("pauses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, told); diff != "" {
		t.Errorf("OnRetry pauses (-want +got):\n%s", diff)
	}
}

func TestDoGivesUpAfterAttempts(t *testing.T) {
	clk := newInstantClock()
	calls := 0
	err := Retry{Policy: Policy{Attempts: 3}, Clock: clk}.Do(t.Context(), func() error { calls++; return errBusy })

	var ex *ExhaustedError
	if !errors.As(err, &ex) || ex.Attempts != 3 || !errors.Is(err, errBusy) || err.Error() != "giving up after 3 tries: busy" {
		t.Fatalf("Do = %v, want *ExhaustedError after 3 tries wrapping the last error", err)
	}
	if calls != 3 || len(clk.Slept()) != 2 {
		t.Errorf("%d calls, %d pauses; want 3 and 2", calls, len(clk.Slept()))
	}
}

func TestDoReturnsRefusedAndPermanentErrorsAtOnce(t *testing.T) {
	clk := newInstantClock()
	retryable := func(err error) bool { return errors.Is(err, errBusy) }
	for name, f := range map[string]func() error{
		"refused":   func() error { return errGone },
		"permanent": func() error { return Permanent(errBusy) },
	} {
		calls := 0
		err := Retry{Clock: clk, Retryable: retryable}.Do(t.Context(), func() error { calls++; return f() })
		var perm *permanentError
		if calls != 1 || err == nil || errors.As(err, &perm) {
			t.Errorf("%s: Do = %v after %d calls, want the plain error of the only call", name, err, calls)
		}
	}
	if p := clk.Slept(); len(p) != 0 {
		t.Errorf("paused %v", p)
	}
}

func TestDoHonoursRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name      string
		after     time.Duration
		wantPause []time.Duration
		wantCalls int
	}{
		{"longer than the backoff", 7 * time.Second, []time.Duration{7 * time.Second}, 2},
		{"shorter than the backoff", time.Millisecond, []time.Duration{time.Second}, 2},
		{"too long", time.Hour, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newInstantClock()
			calls := 0
			r := Retry{Policy: Policy{Base: time.Second}, Clock: clk, Jitter: func() float64 { return 1 },
				RetryAfter: func(error) time.Duration { return tc.after }, MaxRetryAfter: time.Minute}
			err := r.Do(t.Context(), func() error {
				if calls++; calls == 1 {
					return errBusy
				}
				return nil
			})
			if calls != tc.wantCalls || (calls == 1) != (err != nil) {
				t.Fatalf("Do = %v after %d calls, want %d calls", err, calls, tc.wantCalls)
			}
			if diff := cmp.Diff(tc.wantPause, clk.Slept()); diff != "" {
				t.Errorf("pauses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDoStopsWhenTheContextEnds(t *testing.T) {
	t.Run("during the call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		clk := newInstantClock()
		calls := 0
		err := Retry{Clock: clk}.Do(ctx, func() error { calls++; cancel(); return errBusy })
		if !errors.Is(err, errBusy) || calls != 1 || len(clk.Slept()) != 0 {
			t.Errorf("Do = %v after %d calls, %d pauses; want the call's error, no pause", err, calls, len(clk.Slept()))
		}
	})
	t.Run("during a pause", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		clk := testingclock.NewFakeClock(time.Now()) // never stepped: the pause only ends by ctx
		done := make(chan error, 1)
		go func() { done <- Retry{Clock: clk}.Do(ctx, func() error { return errBusy }) }()
		for !clk.HasWaiters() {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Do = %v, want context.Canceled", err)
		}
	})
}

func TestSleepWaitsOnTheClock(t *testing.T) {
	clk := newInstantClock()
	start := clk.Now()
	if err := Sleep(t.Context(), clk, 3*time.Second); err != nil || clk.Since(start) != 3*time.Second {
		t.Errorf("Sleep = %v after %v of fake time, want nil after 3s", err, clk.Since(start))
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(ctx, clk, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) on an ended ctx = %v, want its error", err)
	}
}
