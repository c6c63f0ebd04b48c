package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// loopDriver runs the loop in the background on the env's fake clock and steps the clock only
// while the loop waits for its next tick, recording when each pass ran (planned or failed).
type loopDriver struct {
	e      *env
	passes chan time.Time
	ticks  int
	cancel context.CancelFunc
	done   chan error
}

func startLoop(e *env) *loopDriver {
	ctx, cancel := context.WithCancel(context.Background())
	d := &loopDriver{e: e, passes: make(chan time.Time, 1000), cancel: cancel, done: make(chan error, 1)}
	e.runner.Notify = func(ev Event) {
		if ev.Kind == "planned" || ev.Kind == "error" && strings.HasPrefix(ev.Message, "pass on") {
			d.passes <- e.clock.Now()
		}
	}
	go func() { d.done <- e.runner.loop(ctx, func() { d.ticks++ }) }()
	e.t.Cleanup(d.stop)
	return d
}

func (d *loopDriver) stop() {
	d.cancel()
	<-d.done
}

// idle waits (in real time, bounded) until the loop waits on its timer: a tick is not running.
func (d *loopDriver) idle() {
	d.e.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !d.e.clock.HasWaiters() {
		if time.Now().After(deadline) {
			d.e.t.Fatal("the loop never came back to wait for its next tick")
		}
		time.Sleep(time.Millisecond)
	}
}

// run steps the fake clock by step while the loop is idle, for span, and returns the passes seen.
func (d *loopDriver) run(span, step time.Duration) []time.Time {
	end := d.e.clock.Now().Add(span)
	for d.e.clock.Now().Before(end) {
		d.idle()
		d.e.clock.Step(step)
	}
	d.idle()
	var out []time.Time
	for {
		select {
		case at := <-d.passes:
			out = append(out, at)
		default:
			return out
		}
	}
}

// A 503 storm on every read: the loop backs off (the pause between retry passes doubles from the
// interval up to the drift interval) instead of a full pass every interval, while it still
// fetches every interval; every failed pass is counted, /readyz says why it is not ready, and the
// first retry after the storm syncs. Before, 30 minutes of storm drew 31 passes, one a minute.
func TestLoopBacksOffDuringAnAPIStorm(t *testing.T) {
	e := newEnv(t, "revert")
	prov, err := scaleway.New(scaleway.WithAPIURL(e.api), scaleway.WithReadRetry(backoff.Policy{Attempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	e.runner.Provider, e.runner.Exec = prov, &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}}
	e.runner.Interval, e.runner.Metrics, e.runner.Rand = time.Minute, m, func() float64 { return 0.5 } // no jitter
	if err := e.emu.FailNext(emulator.FailNext{Method: "GET", Count: 1 << 20, Status: 503}); err != nil {
		t.Fatal(err)
	}

	d := startLoop(e)
	storm := d.run(30*time.Minute, 10*time.Second)
	var gaps []time.Duration
	for i := 1; i < len(storm); i++ {
		gaps = append(gaps, storm[i].Sub(storm[i-1]))
	}
	t.Logf("%d passes in 30 minutes of storm (%d ticks), gaps %v", len(storm), d.ticks, gaps)
	if d.ticks < 30 {
		t.Errorf("%d ticks in 30 minutes, want the loop to keep fetching every interval (a push is seen at once)", d.ticks)
	}
	if len(storm) > 7 {
		t.Errorf("%d passes in 30 minutes of 503s, want the loop to back off (at most 7: 1, 2, 4, 8, 10, 10 minutes apart)", len(storm))
	}
	for i, g := range gaps {
		if i > 0 && g < gaps[i-1] {
			t.Errorf("gap %d (%s) shorter than the one before (%s): the backoff must not shrink during the storm", i, g, gaps[i-1])
		}
		if g > e.runner.DriftInterval+10*time.Second {
			t.Errorf("gap %d is %s, want at most the drift interval %s", i, g, e.runner.DriftInterval)
		}
	}
	if got := counter(t, reg, "reconciler_passes_total", "error"); int(got) != len(storm) {
		t.Errorf("reconciler_passes_total{result=error} = %v, want %d (every pass of the storm failed)", got, len(storm))
	}
	if ok, why := e.runner.Readiness(); ok || why == "" {
		t.Errorf("readiness during the storm = %v %q, want not ready with the reason", ok, why)
	}

	// A push during the storm is not held back by the backoff: its pass runs at the next tick.
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(strings.Replace(clusterYAML, "DRIFT", "revert", 1), "team-a", "team-b", 1)})
	e.user.CommitAndPush(t, "team-b", 3)
	pushed := d.run(time.Minute+10*time.Second, 10*time.Second)
	if len(pushed) != 1 {
		t.Fatalf("%d pass(es) in the minute after a push during the storm, want 1", len(pushed))
	}

	// The storm ends: the next retry (at most a drift interval later) syncs.
	if err := e.emu.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	after := d.run(e.runner.DriftInterval+time.Minute, 10*time.Second)
	if len(after) < 1 {
		t.Fatalf("no pass in the %s after the storm, want a sync", e.runner.DriftInterval+time.Minute)
	}
	if ok, why := e.runner.Readiness(); !ok {
		t.Errorf("not ready after the storm: %s", why)
	}
	if e.live() == nil {
		t.Error("prod-par was not created after the storm")
	}
	if g := after[0].Sub(pushed[0]); g > e.runner.DriftInterval+10*time.Second {
		t.Errorf("the first pass after the storm came %s after the last one, want at most the drift interval", g)
	}
}

// counter reads the value of name{result=result} from reg.
func counter(t *testing.T, reg *prometheus.Registry, name, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// retryAfter serves h and adds Retry-After: after to its 429 answers (the emulator sends none).
func retryAfter(h http.Handler, after string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&retryAfterWriter{ResponseWriter: w, after: after}, r)
	})
}

type retryAfterWriter struct {
	http.ResponseWriter
	after string
}

func (w *retryAfterWriter) WriteHeader(code int) {
	if code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", w.after)
	}
	w.ResponseWriter.WriteHeader(code)
}

// A 429 storm whose answers say Retry-After: 300: the loop waits at least those five minutes
// between passes (the read retry gives a pause over a minute back at once, for the loop to
// wait). Before, the next pass came after the interval (then the backoff's 2 and 4 minutes).
func TestLoopWaitsTheRetryAfterOfAStorm(t *testing.T) {
	e := newEnv(t, "revert")
	hs := httptest.NewServer(retryAfter(e.emu.Handler(), "300"))
	t.Cleanup(hs.Close)
	prov, err := scaleway.New(scaleway.WithAPIURL(hs.URL)) // the default read retry
	if err != nil {
		t.Fatal(err)
	}
	e.runner.Provider, e.runner.Exec = prov, &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}}
	e.runner.Interval, e.runner.Rand = time.Minute, func() float64 { return 0.5 }
	if err := e.emu.FailNext(emulator.FailNext{Method: "GET", Count: 1 << 20, Status: 429}); err != nil {
		t.Fatal(err)
	}
	d := startLoop(e)
	storm := d.run(30*time.Minute, 10*time.Second)
	if len(storm) < 2 {
		t.Fatalf("%d pass(es) in 30 minutes, want the loop to try again", len(storm))
	}
	for i := 1; i < len(storm); i++ {
		if g := storm[i].Sub(storm[i-1]); g < 5*time.Minute {
			t.Errorf("pass %d came %s after the one before, want at least the 5 minutes the API asked for", i, g)
		}
	}
	if ok, why := e.runner.Readiness(); ok {
		t.Errorf("ready during the storm (%q)", why)
	}
}
