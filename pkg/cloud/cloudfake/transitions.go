package cloudfake

import (
	"fmt"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// settle applies every transition that is due on the clock (all of them when force is set).
// Nodes settle before pools and pools before clusters, so a cluster never looks ready while a
// pool it is waiting for is still removed in the same step. The caller holds f.mu.
func (f *Fake) settle(force bool) {
	now := f.clock.Now()
	due := func(t *transition) bool { return t != nil && (force || !now.Before(t.at)) }
	kept := f.clusters[:0]
	for _, cs := range f.clusters {
		for _, ps := range cs.pools {
			nodes := ps.nodes[:0]
			for _, ns := range ps.nodes {
				if due(ns.pending) {
					if ns.pending.to == "" {
						continue
					}
					ns.n.Status, ns.n.UpdatedAt, ns.pending = ns.pending.to, now, nil
				}
				nodes = append(nodes, ns)
			}
			ps.nodes = nodes
		}
		pools := cs.pools[:0]
		for _, ps := range cs.pools {
			if due(ps.pending) {
				if ps.pending.to == "" {
					continue
				}
				ps.p.Status, ps.pending = ps.pending.to, nil
			}
			pools = append(pools, ps)
		}
		cs.pools = pools
		if due(cs.pending) {
			if cs.pending.to == "" {
				continue
			}
			cs.c.Status, cs.c.UpdatedAt, cs.pending = f.restingStatus(cs), now, nil
		}
		if cs.pending == nil && cs.c.Status == "ready" && needsPool(cs) {
			cs.c.Status = "pool_required"
		}
		kept = append(kept, cs)
	}
	f.clusters = kept
}

// restingStatus is where a cluster goes when its transient status ends.
func (f *Fake) restingStatus(cs *clusterState) string {
	if needsPool(cs) {
		return "pool_required"
	}
	return "ready"
}

// needsPool: a mutualized kapsule cluster without pools is shut down until it gets one.
func needsPool(cs *clusterState) bool { return cs.c.Type == "kapsule" && len(cs.pools) == 0 }

func clusterTransient(status string) bool {
	return status == "creating" || status == "updating" || status == "deleting"
}

func (f *Fake) startCluster(cs *clusterState, status string) {
	cs.c.Status, cs.c.UpdatedAt = status, f.clock.Now()
	to := settled
	if status == "deleting" {
		to = ""
	}
	cs.pending = &transition{to: to, at: f.due()}
}

func (f *Fake) startPool(ps *poolState, status string) {
	ps.p.Status = status
	to := "ready"
	if status == "deleting" {
		to = ""
	}
	ps.pending = &transition{to: to, at: f.due()}
}

// addNodes creates n new nodes in the pool, creating → ready.
func (f *Fake) addNodes(cs *clusterState, ps *poolState, n int) {
	now := f.clock.Now()
	for range n {
		id := f.newID(0xd1)
		ps.nodes = append(ps.nodes, &nodeState{
			n: cloud.Node{
				ID: id, PoolID: ps.p.ID, Status: "creating", CreatedAt: now, UpdatedAt: now,
				Name:       fmt.Sprintf("scw-%s-%s-%s", trunc(cs.c.Name, 17), trunc(ps.p.Name, 17), strings.ReplaceAll(id, "-", "")[20:]),
				ProviderID: fmt.Sprintf("scaleway://instance/%s/%s", ps.p.Zone, id),
			},
			pending: &transition{to: "ready", at: f.due()},
		})
	}
}

// removeNode starts deleting a node; it disappears when its transition settles.
func (f *Fake) removeNode(ns *nodeState) {
	ns.n.Status, ns.n.UpdatedAt = "deleting", f.clock.Now()
	ns.pending = &transition{to: "", at: f.due()}
}

// liveNodes are the nodes not being deleted.
func liveNodes(ps *poolState) []*nodeState {
	var out []*nodeState
	for _, ns := range ps.nodes {
		if ns.n.Status != "deleting" {
			out = append(out, ns)
		}
	}
	return out
}

// resize moves the pool's live node count to its size.
func (f *Fake) resize(cs *clusterState, ps *poolState) {
	live := liveNodes(ps)
	switch {
	case len(live) < ps.p.Size:
		f.addNodes(cs, ps, ps.p.Size-len(live))
	case len(live) > ps.p.Size:
		for _, ns := range live[ps.p.Size:] { // newest last: remove the newest
			f.removeNode(ns)
		}
	}
}

// replaceAll replaces every live node of the pool with a new one (upgrade with new images).
func (f *Fake) replaceAll(cs *clusterState, ps *poolState) {
	live := liveNodes(ps)
	for _, ns := range live {
		f.removeNode(ns)
	}
	f.addNodes(cs, ps, len(live))
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
