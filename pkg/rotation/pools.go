package rotation

import (
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Calendars returns the calendar of every pool of the spec that exists live, in spec order, for
// status files, reports and previews.
func Calendars(desired *spec.Cluster, live *cloud.Cluster, now time.Time) []Calendar {
	var out []Calendar
	ForEachPool(desired, live, func(sp *spec.Pool, lp *cloud.Pool) {
		out = append(out, BuildCalendar(ResolvePolicy(sp.Rotation), live, lp, now, DefaultHorizon))
	})
	return out
}

// ForEachPool calls f for every pool of the spec that exists live, in spec order, with the live
// pool. Live pools the spec does not name are not the reconciler's to rotate.
func ForEachPool(desired *spec.Cluster, live *cloud.Cluster, f func(*spec.Pool, *cloud.Pool)) {
	if desired == nil || live == nil {
		return
	}
	for i := range desired.Spec.Pools {
		sp := &desired.Spec.Pools[i]
		for j := range live.Pools {
			if live.Pools[j].Name == sp.Name {
				f(sp, &live.Pools[j])
				break
			}
		}
	}
}

// Decisions returns Candidates for every pool of the spec that exists live, in spec order: what
// `reconciler rotate --dry-run` shows.
func Decisions(desired *spec.Cluster, live *cloud.Cluster, now time.Time) []Decision {
	var out []Decision
	ForEachPool(desired, live, func(sp *spec.Pool, lp *cloud.Pool) {
		d := Candidates(ResolvePolicy(sp.Rotation), live, lp, now)
		d.Cluster = desired.Metadata.Name
		out = append(out, d)
	})
	return out
}
