package scaleway

import (
	"sync"
	"time"

	"k8s.io/utils/clock"
	clocktesting "k8s.io/utils/clock/testing"
)

// instantClock is a fake clock whose timers fire at once: NewTimer records the pause and steps
// the fake time past it, so a retry "sleeps" without real waiting and the test can read the
// pauses taken.
type instantClock struct {
	*clocktesting.FakeClock
	mu     sync.Mutex
	pauses []time.Duration
}

func newInstantClock() *instantClock {
	return &instantClock{FakeClock: clocktesting.NewFakeClock(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))}
}

func (c *instantClock) NewTimer(d time.Duration) clock.Timer {
	t := c.FakeClock.NewTimer(d)
	c.mu.Lock()
	c.pauses = append(c.pauses, d)
	c.mu.Unlock()
	c.Step(d)
	return t
}

// slept returns the pauses taken so far.
func (c *instantClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.pauses...)
}
