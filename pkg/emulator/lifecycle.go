package emulator

import (
	"sort"
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
//     cluster two minors behind goes one minor at a time. A pool left on an end-of-life minor under
//     a newer control plane (upgrade_pools=false) is upgraded to the control plane's version.
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

// lifecycleAction is the next thing the service will do to a cluster by itself.
type lifecycleAction struct {
	at     time.Time // zero: nothing pending
	kind   string
	target string   // the cluster's new version (pools: the cluster's version)
	pools  []string // forced upgrade of pools left on an end-of-life minor (the control plane is not)
}

// clusterLifecycleDue is the next forced or automatic upgrade of a cluster with these pools.
func (s *Server) clusterLifecycleDue(c *clusterRec, pools []*poolRec) lifecycleAction {
	var a lifecycleAction
	if c.Status != "ready" && c.Status != "pool_required" || !c.Due.IsZero() || c.UpgradePools {
		return a
	}
	for _, p := range pools {
		if p.Status == "upgrading" {
			return a // one thing at a time
		}
	}
	cur, ok := parseVersion(c.Version)
	entry, known := s.catalogEntry(c.Version)
	if !ok || !known {
		return a
	}
	from := c.settledSince()
	if !entry.EndOfLife.IsZero() {
		t := later(entry.EndOfLife.Add(s.opts.ForcedUpgradeDelay), from)
		if next, ok := s.latestPatch(cur[0], cur[1]+1, t); ok {
			a = lifecycleAction{at: t, kind: EventForcedUpgrade, target: next.Name}
		}
	}
	// pools left behind on a minor past its end of life follow the control plane
	for _, p := range pools {
		pe, ok := s.catalogEntry(p.Version)
		if !ok || p.Status != "ready" || p.Version == c.Version || pe.EndOfLife.IsZero() {
			continue
		}
		t := later(pe.EndOfLife.Add(s.opts.ForcedUpgradeDelay), from)
		switch {
		case a.at.IsZero() || t.Before(a.at):
			a = lifecycleAction{at: t, kind: EventForcedUpgrade, target: c.Version, pools: []string{p.ID}}
		case t.Equal(a.at) && len(a.pools) > 0:
			a.pools = append(a.pools, p.ID)
		}
	}
	if c.AutoUpgrade.Enabled {
		if t, v, ok := s.autoUpgradeDue(c, cur, from); ok && (a.at.IsZero() || t.Before(a.at)) {
			a = lifecycleAction{at: t, kind: EventAutoUpgrade, target: v}
		}
	}
	return a
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
	a := s.clusterLifecycleDue(c, s.st.poolsOf(c.ID))
	if a.at.IsZero() || a.at.After(t) {
		return
	}
	if len(a.pools) > 0 {
		for _, id := range a.pools {
			p := s.st.Pools[id]
			s.logEvent(LifecycleEvent{Time: t, Kind: a.kind, ClusterID: c.ID, PoolID: id, From: p.Version, To: a.target})
			s.startPoolUpgrade(p, a.target, t)
		}
		return
	}
	s.logEvent(LifecycleEvent{Time: t, Kind: a.kind, ClusterID: c.ID, From: c.Version, To: a.target})
	c.Version = a.target
	c.UpgradePools = true
	c.Status, c.UpdatedAt, c.Due = "updating", t, t.Add(s.opts.Dwell.ClusterUpgrade)
	s.touch()
}

// poolsByCluster groups the pools by cluster, in creation order.
func (s *Server) poolsByCluster() map[string][]*poolRec {
	out := map[string][]*poolRec{}
	for _, p := range s.st.Pools {
		out[p.ClusterID] = append(out[p.ClusterID], p)
	}
	for _, ps := range out {
		sort.Slice(ps, func(i, j int) bool { return ps[i].Seq < ps[j].Seq })
	}
	return out
}
