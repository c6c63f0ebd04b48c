package emulator

import (
	"time"
)

// What the service does on its own, driven by the emulator's clock through the engine's lazy
// schedule (engine.go: nextDue considers these like any other transition, so they fire in time
// order, stamped with their due time):
//   - Forced upgrade: once a minor is past end_of_life_at, "any remaining clusters on this version
//     will begin to be forcibly upgraded to the next minor version" (SDK Version doc), "within the
//     next 30 days" to the latest patch of the next minor (version support policy). The emulator
//     does it at end_of_life_at + Options.ForcedUpgradeDelay (default 0): control plane first
//     (status updating → ready), then every pool (upgrade_pools), as an UpgradeCluster does. A
//     cluster two minors behind goes one minor at a time.
//   - Auto-upgrade: a cluster with auto_upgrade.enabled gets the latest patch of its minor
//     (patch only) at the first instant inside its maintenance window — start_hour UTC on day
//     (any: every day), two hours long (SDK MaintenanceWindow doc: "start time of the two-hour
//     maintenance window") — when a newer patch exists; control plane then pools.
//   - Both wait for the cluster to be settled (ready or pool_required, no pool upgrading) and never
//     act on what happened before the cluster last settled (creation or last change).
// Autoheal (pool autohealing) is in autoheal.go. Every such action is recorded as a LifecycleEvent
// in the request log (Admin.Requests().Events).

// Lifecycle event kinds.
const (
	EventForcedUpgrade   = "forced-upgrade"
	EventAutoUpgrade     = "auto-upgrade"
	EventAutohealReboot  = "autoheal-reboot"
	EventAutohealReplace = "autoheal-replace"
)

// MaintenanceWindowLength is how long an auto-upgrade window stays open after start_hour.
const MaintenanceWindowLength = 2 * time.Hour

// LifecycleEvent is an action the emulated service took by itself.
type LifecycleEvent struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"`
	ClusterID string    `json:"cluster_id"`
	PoolID    string    `json:"pool_id,omitempty"`
	NodeID    string    `json:"node_id,omitempty"`
	From      string    `json:"from,omitempty"` // versions for upgrades; the new node's id for a replace
	To        string    `json:"to,omitempty"`
}

// settledSince is the instant from which the service may act on a cluster.
func (c *clusterRec) settledSince() time.Time {
	if c.SettledAt.IsZero() {
		return c.CreatedAt
	}
	return c.SettledAt
}

// clusterLifecycleDue is when the next forced or automatic upgrade of a cluster fires, its kind
// and target version (zero time: none pending). busy holds the clusters with a pool upgrading.
func (s *Server) clusterLifecycleDue(c *clusterRec, busy map[string]bool) (time.Time, string, string) {
	if c.Status != "ready" && c.Status != "pool_required" || !c.Due.IsZero() || c.UpgradePools || busy[c.ID] {
		return time.Time{}, "", ""
	}
	cur, ok := parseVersion(c.Version)
	entry, known := s.catalogEntry(c.Version)
	if !ok || !known {
		return time.Time{}, "", ""
	}
	from := c.settledSince()
	var at time.Time
	var kind, target string
	if !entry.EndOfLife.IsZero() {
		t := later(entry.EndOfLife.Add(s.opts.ForcedUpgradeDelay), from)
		if next, ok := s.latestPatch(cur[0], cur[1]+1, t); ok {
			at, kind, target = t, EventForcedUpgrade, next.Name
		}
	}
	if c.AutoUpgrade.Enabled {
		if t, v, ok := s.autoUpgradeDue(c, cur, from); ok && (at.IsZero() || t.Before(at)) {
			at, kind, target = t, EventAutoUpgrade, v
		}
	}
	return at, kind, target
}

// autoUpgradeDue is the first instant in the maintenance window, not before from, at which a
// newer patch of the cluster's minor exists, and the newest patch then.
func (s *Server) autoUpgradeDue(c *clusterRec, cur semver, from time.Time) (time.Time, string, bool) {
	var first time.Time // when the first newer patch came out
	found := false
	for _, v := range s.catalog {
		pv, ok := parseVersion(v.Name)
		if !ok || !sameMinor(pv, cur) || !cur.less(pv) {
			continue
		}
		if a := v.availableAt(); !found || a.Before(first) {
			first, found = a, true
		}
	}
	if !found {
		return time.Time{}, "", false
	}
	at := nextInWindow(later(first, from), c.AutoUpgrade.MaintenanceWindow)
	latest, ok := s.latestPatch(cur[0], cur[1], at)
	if !ok || !cur.less(mustParse(latest.Name)) {
		return time.Time{}, "", false
	}
	return at, latest.Name, true
}

func mustParse(name string) semver {
	v, _ := parseVersion(name)
	return v
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

// nextInWindow is t if t is inside a maintenance window, else the start of the next window.
func nextInWindow(t time.Time, w MaintenanceWindow) time.Time {
	t = t.UTC()
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	wd, specific := weekdays[w.Day]
	for d := -1; d <= 8; d++ {
		start := midnight.AddDate(0, 0, d).Add(time.Duration(w.StartHour) * time.Hour)
		if specific && start.Weekday() != wd {
			continue
		}
		if t.Before(start.Add(MaintenanceWindowLength)) {
			return later(start, t)
		}
	}
	return t // unreachable: a weekday recurs within 8 days
}

// fireLifecycle performs the cluster's pending forced or automatic upgrade, due at t.
func (s *Server) fireLifecycle(c *clusterRec, t time.Time) {
	at, kind, target := s.clusterLifecycleDue(c, s.clustersWithUpgradingPools())
	if at.IsZero() || at.After(t) {
		return
	}
	s.logEvent(LifecycleEvent{Time: t, Kind: kind, ClusterID: c.ID, From: c.Version, To: target})
	c.Version = target
	c.UpgradePools = true
	c.Status, c.UpdatedAt, c.Due = "updating", t, t.Add(s.opts.Dwell.ClusterUpgrade)
	s.touch()
}

// clustersWithUpgradingPools is the set of clusters one of whose pools is upgrading.
func (s *Server) clustersWithUpgradingPools() map[string]bool {
	out := map[string]bool{}
	for _, p := range s.st.Pools {
		if p.Status == "upgrading" {
			out[p.ClusterID] = true
		}
	}
	return out
}
