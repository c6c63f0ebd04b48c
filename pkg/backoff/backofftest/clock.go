// Package backofftest holds the fake clock for tests of code that retries or waits through
// pkg/backoff (backoff.Sleep waits on clock.Clock.NewTimer).
package backofftest

import (
	"sync"
	"time"

	"k8s.io/utils/clock"
	testingclock "k8s.io/utils/clock/testing"
)

// InstantClock is a fake clock whose timers fire at once: NewTimer records the pause and steps
// the fake time past it, so retries and polls run without real waiting, anything reading the
// same clock (cloudfake's transitions) sees the time pass, and the test can read the pauses.
type InstantClock struct {
	*testingclock.FakeClock
	mu     sync.Mutex
	pauses []time.Duration
}

var _ clock.WithTicker = (*InstantClock)(nil)

// NewInstantClock returns an InstantClock at t.
func NewInstantClock(t time.Time) *InstantClock {
	return &InstantClock{FakeClock: testingclock.NewFakeClock(t)}
}

// NewTimer records d and returns a timer that has already fired.
func (c *InstantClock) NewTimer(d time.Duration) clock.Timer {
	t := c.FakeClock.NewTimer(d)
	c.mu.Lock()
	c.pauses = append(c.pauses, d)
	c.mu.Unlock()
	c.Step(d)
	return t
}

// Slept returns the pauses taken so far, in order.
func (c *InstantClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.pauses...)
}
