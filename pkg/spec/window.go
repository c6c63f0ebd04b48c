package spec

import "github.com/scaleway-gitops/reconciler/pkg/window"

// Parse is the window w describes (cron schedule, duration, time zone; "" is UTC), or why it is
// invalid. It is the one way from a spec's window to window.Window: the planner's gates, the
// rotation policy, the run loop's schedule and the demo all read windows through it.
func (w Window) Parse() (*window.Window, error) {
	return window.Parse(w.Schedule, w.Duration.Duration, w.TimeZone)
}
