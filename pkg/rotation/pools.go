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
		if lp := livePool(desired, live, sp.Name); lp != nil {
			f(sp, lp)
		}
	}
}

// livePool is the live pool of the spec pool name: the one of that name, else the replacement
// pool (name plus a replacement suffix, spec.IsReplacementName) that took its place, unless the
// spec names that pool itself.
func livePool(desired *spec.Cluster, live *cloud.Cluster, name string) *cloud.Pool {
	var repl *cloud.Pool
	for j := range live.Pools {
		lp := &live.Pools[j]
		if lp.Status == "deleted" {
			continue
		}
		if lp.Name == name {
			return lp
		}
		if repl == nil && spec.IsReplacementName(lp.Name, name) && !specNames(desired, lp.Name) {
			repl = lp
		}
	}
	return repl
}

func specNames(desired *spec.Cluster, name string) bool {
	for _, p := range desired.Spec.Pools {
		if p.Name == name {
			return true
		}
	}
	return false
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
