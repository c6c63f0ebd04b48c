package rotation

import (
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// PlanPool is the rotation part of a cluster's plan for one pool: a rotate-node action for every
// node to rotate now (oldest first), a deferred entry for every node that is due but left alone
// (why = its Reason), and the pool's calendar over DefaultHorizon. Nodes that are not due, that
// are already in a transition, or whose pool has rotation disabled produce nothing. cluster is
// the spec's cluster name; r is the pool's spec.Rotation (nil: defaults); c and p are live.
func PlanPool(cluster string, r *spec.Rotation, c *cloud.Cluster, p *cloud.Pool, now time.Time) ([]plan.Action, []plan.Deferred, Calendar) {
	pol := ResolvePolicy(r)
	d := Candidates(pol, c, p, now)
	cal := BuildCalendar(pol, c, p, now, DefaultHorizon)
	var acts []plan.Action
	var defs []plan.Deferred
	for _, nd := range d.Nodes {
		a := nodeAction(cluster, d, nd)
		switch {
		case nd.Rotate:
			acts = append(acts, a)
		case nd.Reason == RotationDisabled, nd.Reason == InProgress, nd.Reason == TooYoung:
		case nd.Due.IsZero() || now.Before(nd.Due):
			// An invalid policy or a node that is not due: no rotation is wanted yet.
		default:
			defs = append(defs, plan.Deferred{Action: a, Why: string(nd.Reason), Message: nd.Message})
		}
	}
	return acts, defs, cal
}

// PlanCluster is the plan's rotation hook (it has the signature of plan.RotationFunc): PlanPool
// for every pool of the spec that exists live, in spec order. Live pools the spec does not name
// are not the reconciler's to rotate.
func PlanCluster(desired *spec.Cluster, live *cloud.Cluster, now time.Time) ([]plan.Action, []plan.Deferred) {
	var acts []plan.Action
	var defs []plan.Deferred
	forEachPool(desired, live, func(sp *spec.Pool, lp *cloud.Pool) {
		a, d, _ := PlanPool(desired.Metadata.Name, sp.Rotation, live, lp, now)
		acts, defs = append(acts, a...), append(defs, d...)
	})
	return acts, defs
}

// Calendars returns the calendar of every pool of the spec that exists live, in spec order, for
// status files, reports and previews.
func Calendars(desired *spec.Cluster, live *cloud.Cluster, now time.Time) []Calendar {
	var out []Calendar
	forEachPool(desired, live, func(sp *spec.Pool, lp *cloud.Pool) {
		out = append(out, BuildCalendar(ResolvePolicy(sp.Rotation), live, lp, now, DefaultHorizon))
	})
	return out
}

func forEachPool(desired *spec.Cluster, live *cloud.Cluster, f func(*spec.Pool, *cloud.Pool)) {
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

// ActionID is the stable plan ID of a node's rotation.
func ActionID(cluster, pool, node string) string {
	return cluster + "/" + string(plan.RotateNode) + "/" + pool + "/" + node
}

func nodeAction(cluster string, d Decision, nd NodeDecision) plan.Action {
	reason := MaxAge
	if !nd.Deadline.IsZero() && !d.Now.Before(nd.Deadline) {
		reason = PastDeadline
	}
	if nd.Rotate {
		reason = nd.Reason
	}
	a := plan.Action{
		ID:         ActionID(cluster, d.Pool, nd.Name),
		Type:       plan.RotateNode,
		Target:     "node/" + cluster + "/" + d.Pool + "/" + nd.Name,
		Reason:     string(reason),
		Changes:    []plan.Change{{Path: "node.age", Before: fmtAge(nd.Age), After: "0d"}},
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
			"drain_timeout":    fmtDuration(d.Policy.DrainTimeout),
			"on_drain_timeout": d.Policy.OnDrainTimeout,
		},
	}
	rot := &plan.NodeRotation{ClusterID: d.ClusterID, Pool: d.Pool, PoolID: d.PoolID, Node: nd.Name, NodeID: nd.ID,
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

// PlanCalendars is the plan's calendar hook (it has the signature of plan.CalendarFunc): every
// pool's Calendar in the plan's compact form, and the calendars' warnings.
func PlanCalendars(desired *spec.Cluster, live *cloud.Cluster, now time.Time) ([]plan.PoolCalendar, []plan.Warning) {
	var out []plan.PoolCalendar
	var warns []plan.Warning
	for _, cal := range Calendars(desired, live, now) {
		out = append(out, cal.PlanCalendar())
		warns = append(warns, cal.Warnings...)
	}
	return out, warns
}

// PlanCalendar is the calendar in the plan's compact form: node names per opening that
// replaces any, the count of the others.
func (c Calendar) PlanCalendar() plan.PoolCalendar {
	pc := plan.PoolCalendar{Pool: c.Pool, TimeZone: c.TimeZone, AnyTime: c.AnyTime, Until: c.To, Openings: []plan.CalendarOpening{}}
	for _, o := range c.Openings {
		if len(o.Nodes) == 0 {
			pc.EmptyOpenings++
			continue
		}
		po := plan.CalendarOpening{Start: o.Start, End: o.End}
		for _, n := range o.Nodes {
			po.Nodes = append(po.Nodes, n.Name)
			if n.Reason == PastDeadline {
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

// Decisions returns Candidates for every pool of the spec that exists live, in spec order: what
// `reconciler rotate --dry-run` shows.
func Decisions(desired *spec.Cluster, live *cloud.Cluster, now time.Time) []Decision {
	var out []Decision
	forEachPool(desired, live, func(sp *spec.Pool, lp *cloud.Pool) {
		d := Candidates(ResolvePolicy(sp.Rotation), live, lp, now)
		d.Cluster = desired.Metadata.Name
		out = append(out, d)
	})
	return out
}
