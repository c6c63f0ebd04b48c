package runner

import (
	"context"
	"fmt"
	"slices"

	"github.com/robfig/cron/v3"
)

// Scheduler keeps one cron entry per distinct upgrade or rotation window of the revision in
// force; each firing triggers a tick, so work waiting for a window starts when it opens.
type Scheduler struct {
	Runner *Runner
	cron   *cron.Cron
	keys   []string
}

// Sync replaces the cron entries when the revision's windows changed.
func (s *Scheduler) Sync() error {
	wins := s.Runner.Windows()
	var keys []string
	for _, w := range wins {
		tz := w.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		keys = append(keys, "CRON_TZ="+tz+" "+w.Schedule)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if slices.Equal(keys, s.keys) && s.cron != nil {
		return nil
	}
	c := cron.New()
	for _, k := range keys {
		if _, err := c.AddFunc(k, func() { s.Runner.Trigger("window") }); err != nil {
			return fmt.Errorf("schedule window %q: %w", k, err)
		}
	}
	if s.cron != nil {
		s.cron.Stop()
	}
	s.cron, s.keys = c, keys
	c.Start()
	return nil
}

// Entries returns the scheduled cron specs, sorted.
func (s *Scheduler) Entries() []string { return slices.Clone(s.keys) }

// Stop stops the cron.
func (s *Scheduler) Stop() {
	if s.cron != nil {
		<-s.cron.Stop().Done()
	}
}

// RunWithSchedule runs the loop and keeps the cron in step with the revision in force.
func (r *Runner) RunWithSchedule(ctx context.Context, s *Scheduler) error {
	defer s.Stop()
	return r.loop(ctx, func() {
		if err := s.Sync(); err != nil {
			r.notify("error", "%v", err)
		}
	})
}
