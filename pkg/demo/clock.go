package demo

import (
	"sync/atomic"
	"time"

	"k8s.io/utils/clock"
)

// shiftedClock is the real clock moved forward by an offset, so the demo can jump to a
// maintenance window without waiting for Saturday night. Timers run in real time.
type shiftedClock struct {
	clock.RealClock
	offset atomic.Int64
}

var _ clock.WithTicker = (*shiftedClock)(nil)

func (c *shiftedClock) Now() time.Time                  { return c.RealClock.Now().Add(c.shift()) }
func (c *shiftedClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *shiftedClock) shift() time.Duration            { return time.Duration(c.offset.Load()) }

// jumpTo moves the clock so that Now() is t.
func (c *shiftedClock) jumpTo(t time.Time) {
	c.offset.Store(int64(t.Sub(c.RealClock.Now())))
}
