package runner

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Stopping the loop (SIGTERM at every rolling restart) cancels the pass in flight: that is no
// failed pass. It neither alerts pass-failed ("commit status: fetch ...: context canceled") nor
// counts as a failure.
func TestShutdownDuringAPassIsNoFailure(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	defer rcv.Close()

	e := newEnv(t, "revert")
	e.user.Write(t, map[string]string{"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nnotify:\n  sinks:\n" +
		"    - {name: ops, type: webhook, url: \"" + rcv.URL + "/hook\"}\n"})
	e.user.CommitAndPush(t, "alerts", 3)
	defer func() {
		if e.runner.Alerts != nil {
			e.runner.Alerts.Close()
		}
	}()
	e.tick("start") // a good pass: the notify: in force is known

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the loop is stopping
	if _, err := e.runner.Tick(ctx, "interval"); err == nil {
		t.Fatal("a tick on a cancelled context succeeded")
	}
	if e.runner.Alerts != nil {
		fctx, fcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer fcancel()
		if err := e.runner.Alerts.Flush(fctx); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 0 {
		t.Errorf("the shutdown alerted: %q", bodies)
	}
	if n := e.runner.ConsecutiveFailures(); n != 0 {
		t.Errorf("ConsecutiveFailures = %d after a shutdown, want 0", n)
	}
}
