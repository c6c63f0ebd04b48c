package rotation

import (
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/window"
)

// opener yields the openings rotation may use: a cron window's, or UTC days when the policy
// has no window (any time).
type opener interface {
	// openings lists the openings that intersect [from, to), in order.
	openings(from, to time.Time) []window.Interval
}

func openerFor(p Policy) opener {
	if p.Window == nil {
		return anyTime{}
	}
	return cronWindow{p.Window}
}

type cronWindow struct{ w *window.Window }

func (c cronWindow) openings(from, to time.Time) []window.Interval {
	return c.w.Openings(from, to)
}

// anyTime is always open; its openings are UTC days, the unit the soft schedule spreads over.
type anyTime struct{}

const day = 24 * time.Hour

func (anyTime) openings(from, to time.Time) []window.Interval {
	var out []window.Interval
	for s := from.UTC().Truncate(day); s.Before(to); s = s.Add(day) {
		out = append(out, window.Interval{Start: s, End: s.Add(day)})
	}
	return out
}
