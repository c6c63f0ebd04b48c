package window

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Window is a parsed recurring window.
type Window struct {
	Schedule string
	Duration time.Duration
	Location *time.Location
	sched    cron.Schedule
}

// Interval is one opening of a window: [Start, End).
type Interval struct {
	Start time.Time
	End   time.Time
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// maxLookback bounds how far back Active searches for the opening that covers now.
const maxLookback = 400 * 24 * time.Hour

// Parse builds a Window. tz "" means UTC. The duration must be positive and at most 7 days.
func Parse(schedule string, duration time.Duration, tz string) (*Window, error) {
	if strings.HasPrefix(strings.TrimSpace(schedule), "TZ=") || strings.HasPrefix(strings.TrimSpace(schedule), "CRON_TZ=") {
		return nil, errors.New("schedule must not carry a time zone prefix: use timeZone")
	}
	s, err := parser.Parse(schedule)
	if err != nil {
		return nil, fmt.Errorf("invalid cron schedule %q: %w", schedule, err)
	}
	if duration <= 0 {
		return nil, fmt.Errorf("duration must be positive, got %s", duration)
	}
	if duration > 7*24*time.Hour {
		return nil, fmt.Errorf("duration must be at most 168h, got %s", duration)
	}
	loc := time.UTC
	if tz != "" {
		loc, err = time.LoadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("unknown time zone %q: %w", tz, err)
		}
	}
	return &Window{Schedule: schedule, Duration: duration, Location: loc, sched: s}, nil
}

// next returns the first firing strictly after t, read in the window's location.
func (w *Window) next(t time.Time) time.Time {
	return w.sched.Next(t.In(w.Location))
}

// Active reports whether now falls inside an opening, and that opening.
func (w *Window) Active(now time.Time) (Interval, bool) {
	// The latest opening that started at or before now is within Duration of now if the window is
	// active: step from now-Duration and check the first firing.
	start := w.next(now.Add(-w.Duration))
	if start.IsZero() || start.After(now) {
		return Interval{}, false
	}
	// There may be several firings in [now-Duration, now]; the window is open from the first.
	// Earlier firings whose openings reach start merge with it (as in end): the opening began at
	// the first of them. Without this, the second firing of a repeated local hour (DST fall-back)
	// would be reported as a new opening start halfway through the merged one.
	first := start
	for i := 0; i < 1000; i++ {
		p := w.next(first.Add(-w.Duration - time.Nanosecond))
		if p.IsZero() || !p.Before(first) {
			break
		}
		first = p
	}
	return Interval{Start: first, End: w.end(start, now)}, true
}

// end returns when the opening that started at start closes, merging overlapping firings.
func (w *Window) end(start, now time.Time) time.Time {
	end := start.Add(w.Duration)
	for i := 0; i < 1000; i++ {
		n := w.next(start)
		if n.IsZero() || n.After(end) || !n.After(start) {
			break
		}
		if e := n.Add(w.Duration); e.After(end) {
			end = e
		}
		start = n
	}
	return end
}

// Next returns the next opening that starts after now, or the current one if now is inside it.
func (w *Window) Next(now time.Time) (Interval, bool) {
	if iv, ok := w.Active(now); ok {
		return iv, true
	}
	s := w.next(now)
	if s.IsZero() {
		return Interval{}, false
	}
	return Interval{Start: s, End: w.end(s, s)}, true
}

// Openings lists the openings that intersect [from, to), in order, merged when they overlap.
func (w *Window) Openings(from, to time.Time) []Interval {
	var out []Interval
	iv, ok := w.Next(from)
	for ok && iv.Start.Before(to) {
		out = append(out, iv)
		if len(out) > 10000 {
			break
		}
		s := w.next(iv.End.Add(-time.Nanosecond))
		if s.IsZero() {
			break
		}
		iv = Interval{Start: s, End: w.end(s, s)}
	}
	return out
}
