package plan

import (
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// rotations is the node-rotation part of one cluster's plan (Input.Rotate): for every pool of the
// spec that exists live, in spec order, the rotate-node actions to run now (oldest first), a
// deferred entry for every node that is due but left alone, and the pool's calendar with its
// warnings. Each pool's calendar is built once, here. Live pools the spec does not name are not
// the reconciler's to rotate.
func rotations(desired *spec.Cluster, live *cloud.Cluster, now time.Time) (acts []Action, defs []Deferred, cals []PoolCalendar, warns []Warning) {
	rotation.ForEachPool(desired, live, func(sp *spec.Pool, lp *cloud.Pool) {
		a, d, cal := rotatePool(desired.Metadata.Name, sp.Rotation, live, lp, now)
		acts, defs = append(acts, a...), append(defs, d...)
		cals = append(cals, poolCalendar(cal))
		for _, w := range cal.Warnings {
			warns = append(warns, Warning{Code: w.Code, Message: w.Message})
		}
	})
	return acts, defs, cals, warns
}

// rotatePool plans one pool's rotation: a rotate-node action for every node to rotate now, a
// deferred entry (why = the node's reason) for every node that is due but left alone, and the
// pool's calendar over rotation.DefaultHorizon. Nodes that are not due, already in a transition,
// or whose pool has rotation disabled produce nothing.
func rotatePool(cluster string, r *spec.Rotation, c *cloud.Cluster, p *cloud.Pool, now time.Time) ([]Action, []Deferred, rotation.Calendar) {
	pol := rotation.ResolvePolicy(r)
	d := rotation.Candidates(pol, c, p, now)
	cal := rotation.BuildCalendar(pol, c, p, now, rotation.DefaultHorizon)
	var acts []Action
	var defs []Deferred
	for _, nd := range d.Nodes {
		a := nodeAction(cluster, d, nd)
		switch {
		case nd.Rotate:
			acts = append(acts, a)
		case nd.Reason == rotation.RotationDisabled, nd.Reason == rotation.InProgress, nd.Reason == rotation.TooYoung:
		case nd.Due.IsZero() || now.Before(nd.Due):
			// An invalid policy or a node that is not due: no rotation is wanted yet.
		default:
			defs = append(defs, Deferred{Action: a, Why: string(nd.Reason), Message: nd.Message})
		}
	}
	return acts, defs, cal
}

// RotateNodeID is the stable plan ID of a node's rotation.
func RotateNodeID(cluster, pool, node string) string {
	return actionID(cluster, RotateNode, pool, node)
}

func nodeAction(cluster string, d rotation.Decision, nd rotation.NodeDecision) Action {
	reason := rotation.MaxAge
	if !nd.Deadline.IsZero() && !d.Now.Before(nd.Deadline) {
		reason = rotation.PastDeadline
	}
	if nd.Rotate {
		reason = nd.Reason
	}
	a := Action{
		ID:         RotateNodeID(cluster, d.Pool, nd.Name),
		Type:       RotateNode,
		Target:     "node/" + cluster + "/" + d.Pool + "/" + nd.Name,
		Reason:     string(reason),
		Changes:    []Change{{Path: "node.age", Before: rotation.FormatAge(nd.Age), After: "0d"}},
		Disruptive: true,
		Details: map[string]string{
			"node_id":          nd.ID,
			"node":             nd.Name,
			"pool":             d.Pool,
			"pool_id":          d.PoolID,
			"cluster_id":       d.ClusterID,
			"region":           d.Region,
			"project_id":       d.ProjectID,
			"created_at":       nd.CreatedAt.UTC().Format(time.RFC3339),
			"drain_timeout":    rotation.FormatDuration(d.Policy.DrainTimeout),
			"on_drain_timeout": d.Policy.OnDrainTimeout,
		},
	}
	rot := &NodeRotation{ClusterID: d.ClusterID, Pool: d.Pool, PoolID: d.PoolID, Node: nd.Name, NodeID: nd.ID,
		CreatedAt: nd.CreatedAt.UTC(), DrainTimeout: d.Policy.DrainTimeout, OnDrainTimeout: d.Policy.OnDrainTimeout}
	if d.Opening != nil && d.Policy.Window != nil {
		// The rotator starts no node once its window has closed: a pass that began inside the
		// window must not run past it.
		a.Details["window_end"] = d.Opening.End.UTC().Format(time.RFC3339)
		rot.WindowEnd = d.Opening.End.UTC()
	}
	a.Payload.Rotate = rot
	return a
}

// poolCalendar is a calendar in the plan's compact form: node names per opening that replaces
// any, the count of the others.
func poolCalendar(c rotation.Calendar) PoolCalendar {
	pc := PoolCalendar{Pool: c.Pool, TimeZone: c.TimeZone, AnyTime: c.AnyTime, Until: c.To, Openings: []CalendarOpening{}}
	for _, o := range c.Openings {
		if len(o.Nodes) == 0 {
			pc.EmptyOpenings++
			continue
		}
		po := CalendarOpening{Start: o.Start, End: o.End}
		for _, n := range o.Nodes {
			po.Nodes = append(po.Nodes, n.Name)
			if n.Reason == rotation.PastDeadline {
				po.Overdue = append(po.Overdue, n.Name)
			}
		}
		pc.Openings = append(pc.Openings, po)
	}
	for _, n := range c.Later {
		pc.Later = append(pc.Later, n.Name)
	}
	return pc
}
