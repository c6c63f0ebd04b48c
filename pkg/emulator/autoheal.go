package emulator

import (
	"fmt"
	"time"
)

// Autoheal (pool autohealing=true): "a node not_ready for more than 15 min is rebooted once, and
// for more than 30 min it is replaced" (docs/scaleway-k8s-api.md §5.3, from Scaleway's autoheal
// documentation; the real loop runs every 5 minutes, the emulator acts at exactly 15 and 30
// minutes). A node becomes not_ready through the admin API (SetNodeNotReady, or PatchNode with
// status not_ready); the kube mirror shows it Ready=False. A reboot fixes a transient failure; a
// persistent one (SetNodeNotReady(id, true)) survives it and the node is replaced at 30 minutes.

// Autoheal delays after a node went not_ready.
const (
	AutohealRebootAfter  = 15 * time.Minute
	AutohealReplaceAfter = 30 * time.Minute
)

// autohealDue is when autoheal next acts on a node (zero: never).
func (s *Server) autohealDue(n *nodeRec) time.Time {
	if n.Status != "not_ready" || n.NotReadySince.IsZero() {
		return time.Time{}
	}
	p := s.st.Pools[n.PoolID]
	if p == nil || !p.Autohealing || p.Status == "deleting" {
		return time.Time{}
	}
	if !n.AutohealRebooted {
		return n.NotReadySince.Add(AutohealRebootAfter)
	}
	return n.NotReadySince.Add(AutohealReplaceAfter)
}

// fireAutoheal reboots or replaces a node that has been not_ready long enough.
func (s *Server) fireAutoheal(n *nodeRec, t time.Time) {
	due := s.autohealDue(n)
	if due.IsZero() || due.After(t) {
		return
	}
	p := s.st.Pools[n.PoolID]
	if !n.AutohealRebooted {
		n.AutohealRebooted = true
		n.Status, n.UpdatedAt, n.Due = "rebooting", t, t.Add(s.opts.Dwell.NodeReboot)
		n.Conditions = map[string]string{"Ready": "False"}
		s.kubeNotReady(n)
		s.logEvent(LifecycleEvent{Time: t, Kind: EventAutohealReboot, ClusterID: n.ClusterID, PoolID: n.PoolID, NodeID: n.ID})
		s.touch()
		return
	}
	s.startNodeDelete(n, t)
	repl := s.newNode(p, t)
	if p.Status == "ready" {
		p.Status, p.UpdatedAt, p.Due = "scaling", t, t.Add(s.opts.Dwell.PoolScaling)
	}
	s.logEvent(LifecycleEvent{Time: t, Kind: EventAutohealReplace, ClusterID: n.ClusterID, PoolID: n.PoolID, NodeID: n.ID, To: repl.ID})
	s.touch()
}

// markNotReady records that a node went not_ready at t (the autoheal clock starts).
func (s *Server) markNotReady(n *nodeRec, t time.Time, persistent bool) {
	n.Status, n.UpdatedAt, n.Due = "not_ready", t, time.Time{}
	n.Conditions = map[string]string{"Ready": "False"}
	if n.NotReadySince.IsZero() {
		n.NotReadySince, n.AutohealRebooted = t, false
	}
	n.Broken = persistent
	s.kubeNotReady(n)
	s.touch()
}

// SetNodeNotReady makes a node not_ready now (mirrored to kube as Ready=False). persistent: a
// reboot does not fix it (autoheal then replaces it).
func (s *Server) SetNodeNotReady(id string, persistent bool) error {
	return s.lockedAdmin(func(now time.Time) error {
		n := s.st.Nodes[id]
		if n == nil {
			return fmt.Errorf("node %s: %w", id, ErrNotFound)
		}
		if n.Status == "deleting" || n.Status == "creating" {
			return fmt.Errorf("node %s is %s", id, n.Status)
		}
		s.markNotReady(n, now, persistent)
		return nil
	})
}

// logEvent records a lifecycle event in the request log.
func (s *Server) logEvent(e LifecycleEvent) {
	l := &s.reqlog
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}
