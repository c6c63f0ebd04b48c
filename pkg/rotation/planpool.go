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
	return plan.Action{
		ID:         ActionID(cluster, d.Pool, nd.Name),
		Type:       plan.RotateNode,
		Target:     "node/" + cluster + "/" + d.Pool + "/" + nd.Name,
		Reason:     string(reason),
		Changes:    []plan.Change{{Path: "node.age", Before: fmtAge(nd.Age), After: "0d"}},
		Disruptive: true,
		Details: map[string]string{
			"node_id":          nd.ID,
			"node_name":        nd.Name,
			"pool_id":          d.PoolID,
			"cluster_id":       d.ClusterID,
			"created_at":       nd.CreatedAt.UTC().Format(time.RFC3339),
			"drain_timeout":    fmtDuration(d.Policy.DrainTimeout),
			"on_drain_timeout": d.Policy.OnDrainTimeout,
		},
	}
}
