package emulator

import (
	"sort"
	"time"
)

// The state machines (docs/scaleway-k8s-api.md §5) run lazily: before each request, every transition whose due
// time has passed fires, earliest first, stamped with its own due time (so a node created by a
// transition at t has created_at t, whatever the time of the read).

type dueKind int

const (
	dueCluster dueKind = iota
	duePool
	dueNode
	dueLifecycle // forced or automatic upgrade of a cluster (lifecycle.go)
	dueAutoheal  // autoheal of a not_ready node (autoheal.go)
)

type dueItem struct {
	kind dueKind
	id   string
	seq  int64
	at   time.Time
}

// nextDue finds the earliest pending transition (ties: clusters, then pools, then nodes, then creation order).
func (s *Server) nextDue() (dueItem, bool) {
	var best dueItem
	found := false
	consider := func(it dueItem) {
		if it.at.IsZero() {
			return
		}
		if !found || it.at.Before(best.at) || it.at.Equal(best.at) && (it.kind < best.kind || it.kind == best.kind && it.seq < best.seq) {
			best, found = it, true
		}
	}
	for id, c := range s.st.Clusters {
		consider(dueItem{dueCluster, id, c.Seq, c.Due})
	}
	for id, p := range s.st.Pools {
		consider(dueItem{duePool, id, p.Seq, p.Due})
	}
	for id, n := range s.st.Nodes {
		consider(dueItem{dueNode, id, n.Seq, n.Due})
		consider(dueItem{dueAutoheal, id, n.Seq, s.autohealDue(n)})
	}
	pools := s.poolsByCluster()
	for id, c := range s.st.Clusters {
		consider(dueItem{dueLifecycle, id, c.Seq, s.clusterLifecycleDue(c, pools[id]).at})
	}
	return best, found
}

// advance fires every transition due at or before now. It reports whether anything changed.
func (s *Server) advance(now time.Time) bool {
	if !s.dirty && (s.minDue.IsZero() || now.Before(s.minDue)) {
		return false
	}
	changed := false
	for {
		it, ok := s.nextDue()
		if !ok {
			s.minDue, s.dirty = time.Time{}, false
			return changed
		}
		if it.at.After(now) {
			s.minDue, s.dirty = it.at, false
			return changed
		}
		changed = true
		switch it.kind {
		case dueCluster:
			s.fireCluster(s.st.Clusters[it.id], it.at)
		case duePool:
			s.firePool(s.st.Pools[it.id], it.at)
		case dueNode:
			s.fireNode(s.st.Nodes[it.id], it.at)
		case dueLifecycle:
			s.fireLifecycle(s.st.Clusters[it.id], it.at)
		case dueAutoheal:
			s.fireAutoheal(s.st.Nodes[it.id], it.at)
		}
	}
}

// touch marks the schedule stale after a mutation.
func (s *Server) touch() { s.dirty = true }

func (s *Server) fireCluster(c *clusterRec, t time.Time) {
	c.Due = time.Time{}
	switch c.Status {
	case "deleting":
		s.removeCluster(c)
		return
	case "creating", "updating":
		c.Status = s.settledClusterStatus(c)
		c.UpdatedAt, c.SettledAt = t, t
		if c.UpgradePools {
			c.UpgradePools = false
			for _, p := range s.st.poolsOf(c.ID) {
				if p.Status != "deleting" && p.Version != c.Version {
					s.startPoolUpgrade(p, c.Version, t)
				}
			}
		}
	}
}

// settledClusterStatus is the terminal status a cluster returns to.
func (s *Server) settledClusterStatus(c *clusterRec) string {
	if c.Type == "kapsule" {
		live := 0
		for _, p := range s.st.poolsOf(c.ID) {
			if p.Status != "deleting" {
				live++
			}
		}
		if live == 0 {
			return "pool_required"
		}
	}
	return "ready"
}

func (s *Server) removeCluster(c *clusterRec) {
	for _, p := range s.st.poolsOf(c.ID) {
		s.removePool(p)
	}
	delete(s.st.ACLs, c.ID)
	delete(s.st.Clusters, c.ID)
}

func (s *Server) removePool(p *poolRec) {
	for _, n := range s.st.nodesOf(p.ID) {
		s.removeNode(n)
	}
	delete(s.st.Pools, p.ID)
}

func (s *Server) removeNode(n *nodeRec) {
	s.kubeDelete(n)
	delete(s.st.Nodes, n.ID)
}

func (s *Server) firePool(p *poolRec, t time.Time) {
	p.Due = time.Time{}
	switch p.Status {
	case "deleting":
		c := s.st.Clusters[p.ClusterID]
		s.removePool(p)
		if c != nil && c.Status == "ready" && s.settledClusterStatus(c) == "pool_required" {
			c.Status, c.UpdatedAt = "pool_required", t
		}
	case "upgrading":
		s.upgradeStep(p, t)
	default:
		s.settlePool(p, t)
	}
}

func (s *Server) fireNode(n *nodeRec, t time.Time) {
	n.Due = time.Time{}
	switch n.Status {
	case "deleting":
		poolID := n.PoolID
		s.removeNode(n)
		if p := s.st.Pools[poolID]; p != nil {
			s.settlePool(p, t)
		}
		return
	case "rebooting":
		if n.Broken { // a persistent failure survives the reboot
			n.Status, n.UpdatedAt = "not_ready", t
			s.kubeNotReady(n)
			break
		}
		s.setNodeReady(n, t)
	case "creating", "starting", "registering":
		s.setNodeReady(n, t)
	}
	if p := s.st.Pools[n.PoolID]; p != nil {
		s.settlePool(p, t)
	}
}

func (s *Server) setNodeReady(n *nodeRec, t time.Time) {
	n.Status = "ready"
	n.NotReadySince, n.AutohealRebooted, n.Broken = time.Time{}, false, false
	n.UpdatedAt = t
	n.Conditions = map[string]string{"DiskPressure": "False", "MemoryPressure": "False", "PIDPressure": "False", "Ready": "True"}
	if n.ProviderID == "" {
		n.ProviderID = "scaleway://instance/" + n.Zone + "/" + instanceID(n.ID)
	}
	if p := s.st.Pools[n.PoolID]; p != nil && !p.PublicIPDisabled && (n.PublicIPV4 == nil || *n.PublicIPV4 == "") {
		ip := publicIP(n.ID)
		n.PublicIPV4 = &ip
	}
	s.kubeUpsert(n)
}

// liveNodes are a pool's nodes not on their way out.
func (s *Server) liveNodes(p *poolRec) []*nodeRec {
	var out []*nodeRec
	for _, n := range s.st.nodesOf(p.ID) {
		if n.Status != "deleting" {
			out = append(out, n)
		}
	}
	return out
}

// settlePool moves a transient pool forward once its minimum dwell is over and its nodes allow it.
func (s *Server) settlePool(p *poolRec, t time.Time) {
	if !p.Due.IsZero() {
		return // still in its minimum dwell; firePool will call back
	}
	live := s.liveNodes(p)
	switch p.Status {
	case "scaling":
		for _, n := range live {
			if n.Status != "ready" {
				return
			}
		}
		if len(live) != int(p.Size) {
			return
		}
		p.Status, p.UpdatedAt = "ready", t
		if c := s.st.Clusters[p.ClusterID]; c != nil && c.Status == "pool_required" {
			c.Status, c.UpdatedAt = "ready", t
		}
	case "upgrading":
		for _, n := range live {
			if n.Status == "creating" {
				return
			}
		}
		s.upgradeStep(p, t)
	}
}

// startPoolUpgrade sets the pool's target version; nodes are replaced after the PoolUpgrade dwell.
func (s *Server) startPoolUpgrade(p *poolRec, version string, t time.Time) {
	p.Version = version
	p.Status = "upgrading"
	p.UpdatedAt = t
	p.Due = t.Add(s.opts.Dwell.PoolUpgrade)
	s.touch()
}

// upgradeStep moves a pool upgrade forward within its upgrade_policy (SDK doc of
// CreatePoolRequestUpgradePolicy; the recording pool-version-explicit shows {1,0} deleting the old
// node before creating its replacement): at most max_surge nodes above size, at most
// max_unavailable outdated nodes retired at a time (one when both are 0), oldest first. Nodes
// retired without a surge node in their place are replaced once they are gone. When every node runs
// the pool's version the pool goes scaling, then ready.
func (s *Server) upgradeStep(p *poolRec, t time.Time) {
	all, live := s.st.nodesOf(p.ID), s.liveNodes(p)
	size := int(p.Size)
	if len(all) < size {
		for i := len(all); i < size; i++ {
			s.newNode(p, t)
		}
		return
	}
	var old []*nodeRec
	for _, n := range live {
		if n.Version != p.Version {
			old = append(old, n)
		}
	}
	sort.SliceStable(old, func(i, j int) bool { return old[i].CreatedAt.Before(old[j].CreatedAt) })
	if len(live) > size && len(old) > 0 {
		// surge nodes are up: retire as many outdated ones
		for _, n := range old[:min(len(live)-size, len(old))] {
			s.startNodeDelete(n, t)
		}
		return
	}
	if len(all) > len(live) {
		return // the last batch is still draining
	}
	if len(old) == 0 {
		s.scalePool(p, t) // scaling (converging on size if anything else moved it), then ready
		return
	}
	surge, unavailable := int(p.UpgradePolicy.MaxSurge), int(p.UpgradePolicy.MaxUnavailable)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	for range min(surge, len(old)) {
		s.newNode(p, t)
	}
	for _, n := range old[:min(unavailable, len(old))] {
		s.startNodeDelete(n, t)
	}
}

func (s *Server) startNodeDelete(n *nodeRec, t time.Time) {
	n.Status = "deleting"
	n.UpdatedAt = t
	n.Conditions = map[string]string{"Ready": "False"}
	n.Due = t.Add(s.opts.Dwell.NodeDelete)
	s.kubeNotReady(n)
	s.touch()
}

// scalePool creates or removes nodes so the pool converges on size, and puts it in scaling.
func (s *Server) scalePool(p *poolRec, t time.Time) {
	live := s.liveNodes(p)
	for i := len(live); i < int(p.Size); i++ {
		s.newNode(p, t)
	}
	if len(live) > int(p.Size) {
		// remove the newest first
		sort.SliceStable(live, func(i, j int) bool { return live[i].Seq > live[j].Seq })
		for _, n := range live[:len(live)-int(p.Size)] {
			s.startNodeDelete(n, t)
		}
	}
	p.Status = "scaling"
	p.UpdatedAt = t
	p.Due = t.Add(s.opts.Dwell.PoolScaling)
	s.touch()
}
