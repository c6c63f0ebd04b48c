package kubetest

import (
	"time"

	testingclock "k8s.io/utils/clock/testing"
)

// DriveClock advances clk by step whenever something waits on it, until the
// test ends or the returned stop is called. It lets code that sleeps on an
// injected clock (backoff, timeouts) run against a real API server without
// the test waiting for real time: only the goroutine polls, briefly.
func DriveClock(t TB, clk *testingclock.FakeClock, step time.Duration) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if clk.HasWaiters() {
					clk.Step(step)
				}
			}
		}
	}()
	var stopped bool
	stop = func() {
		if !stopped {
			stopped = true
			close(done)
			<-finished
		}
	}
	t.Cleanup(stop)
	return stop
}
