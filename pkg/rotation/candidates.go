package rotation

import (
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/window"
)

// Decision is what one rotation pass does with one pool at Now, and why.
type Decision struct {
	Cluster   string
	ClusterID string
	Pool      string
	PoolID    string
	Region    string
	ProjectID string
	// ClusterStatus and PoolStatus are the live statuses the decision saw.
	ClusterStatus string
	PoolStatus    string
	Now           time.Time
	Policy        Policy
	// Concurrency is the effective budget: how many nodes may be out of service at once.
	Concurrency int
	// Unavailable counts the pool's nodes that are not ready (in flight or broken): they use the budget.
	Unavailable int
	// Opening is the window opening that contains Now, nil when the window is closed.
	Opening *window.Interval
	// NextOpening is the next opening when the window is closed (nil if none within the horizon).
	NextOpening *window.Interval
	// Nodes holds every node of the pool, oldest first (ties by name); those to rotate have Rotate.
	Nodes []NodeDecision
}

// NodeDecision is the decision for one node.
type NodeDecision struct {
	Name      string
	ID        string
	Status    string
	CreatedAt time.Time
	Age       time.Duration
	// Due is when the node reaches maxAge, Deadline when it is overdue (zero for an invalid policy).
	Due      time.Time
	Deadline time.Time
	Rotate   bool
	Reason   Reason
	// Slot is the opening the soft schedule gives the node (nil: none in the horizon or not scheduled).
	Slot *window.Interval
	// Message says the reason in words, with the numbers behind it.
	Message string
}

// Rotating returns the nodes to rotate now, in rotation order (oldest first).
func (d Decision) Rotating() []NodeDecision {
	var out []NodeDecision
	for _, n := range d.Nodes {
		if n.Rotate {
			out = append(out, n)
		}
	}
	return out
}

// Candidates decides, at now, which nodes of pool p (of cluster c) to rotate under policy pol,
// and why every other node is left alone. c and p must not be nil.
func Candidates(pol Policy, c *cloud.Cluster, p *cloud.Pool, now time.Time) Decision {
	d := Decision{Cluster: c.Name, ClusterID: c.ID, Pool: p.Name, PoolID: p.ID, Region: c.Region, ProjectID: c.ProjectID, ClusterStatus: c.Status,
		PoolStatus: p.Status, Now: now, Policy: pol}
	nodes := sortedNodes(p.Nodes)
	for _, n := range nodes {
		if n.Status != statusReady {
			d.Unavailable++
		}
	}
	d.Nodes = make([]NodeDecision, len(nodes))
	for i, n := range nodes {
		d.Nodes[i] = NodeDecision{Name: n.Name, ID: n.ID, Status: n.Status, CreatedAt: n.CreatedAt, Age: now.Sub(n.CreatedAt)}
	}
	if r := pol.blocker(); r != "" {
		for i := range d.Nodes {
			d.Nodes[i].Reason = r
			if pol.MaxAge >= spec.MinMaxAge {
				d.Nodes[i].Due = nodes[i].CreatedAt.Add(pol.MaxAge)
			}
			d.Nodes[i].Message = message(d, d.Nodes[i])
		}
		return d
	}
	d.Concurrency = pol.concurrency(len(nodes), upgradeCap(p.UpgradePolicy))
	ops := openerFor(pol).openings(now, now.Add(scheduleSpan(pol, DefaultHorizon)))
	sch := buildSchedule(ops, pol, d.Concurrency, nodes, now, DefaultHorizon)
	if sch.current {
		d.Opening = sch.opening(0)
	} else {
		d.NextOpening = sch.opening(0)
	}
	room := d.Concurrency - d.Unavailable
	for i := range d.Nodes {
		nd := &d.Nodes[i]
		nd.Due = nodes[i].CreatedAt.Add(pol.MaxAge)
		nd.Deadline = nodes[i].CreatedAt.Add(pol.Deadline)
		pl := sch.slots[i]
		if pl.scheduled {
			nd.Slot = sch.opening(pl.opening)
		}
		nd.Reason = decide(d, *nd, pl, c, p, now)
		if nd.Reason.Rotates() {
			if room > 0 {
				room--
				nd.Rotate = true
			} else {
				nd.Reason = BudgetExhausted
			}
		}
		nd.Message = message(d, *nd)
	}
	return d
}

// decide is the reason for one node, before the budget is applied, in the order of doc.go.
func decide(d Decision, nd NodeDecision, pl placement, c *cloud.Cluster, p *cloud.Pool, now time.Time) Reason {
	switch {
	case inFlight(nd.Status):
		return InProgress
	case nd.Status != statusReady:
		return NodeNotReady
	case now.Before(nd.Due):
		return TooYoung
	case c.Status != statusReady:
		return ClusterNotReady
	case p.Status != statusReady:
		return PoolNotReady
	case d.Opening == nil:
		return OutsideWindow
	case !pl.scheduled || pl.opening != 0:
		return ScheduledLater
	case pl.forced:
		return PastDeadline
	default:
		return MaxAge
	}
}
