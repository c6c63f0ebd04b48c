package apply

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

var errMisuse = errors.New("apply: nil plan or provider")

// clusterRun is the state of one cluster's apply: its scope and its ID once known.
type clusterRun struct {
	e   *Executor
	cp  *plan.ClusterPlan
	ref cloud.Ref
	id  string
}

func (e *Executor) runCluster(ctx context.Context, cp *plan.ClusterPlan, in Input) ClusterResult {
	r := &clusterRun{e: e, cp: cp, ref: cloud.Ref{Region: cp.Region, ProjectID: cp.ProjectID}, id: cp.ID}
	cr := ClusterResult{Name: cp.Name, Region: cp.Region, ProjectID: cp.ProjectID, ID: cp.ID, State: ClusterApplied}
	if len(cp.Actions) == 0 {
		return cr
	}
	e.emit(Event{Kind: EventClusterStart, Cluster: cp.Name, Message: fmt.Sprintf("cluster %s: applying %d action(s)", cp.Name, len(cp.Actions))})
	defer func() {
		e.emit(Event{Kind: EventClusterEnd, Cluster: cp.Name, Message: fmt.Sprintf("cluster %s: %s", cp.Name, cr.State)})
	}()

	if !in.SkipStaleCheck {
		if err := r.checkStale(ctx); err != nil {
			cr = notRunAll(cp, err)
			var se *StalePlanError
			if errors.As(err, &se) {
				cr.State = ClusterStale
			}
			e.log().WarnContext(ctx, "cluster not applied", "cluster", cp.Name, "err", err)
			return cr
		}
	}

	var stop, aborted error
	abortedPools := map[string]string{} // pool -> why its remaining rotations are not run
	for _, a := range cp.Actions {
		if stop == nil {
			stop = ctx.Err()
		}
		if stop != nil {
			cr.Actions = append(cr.Actions, ActionResult{ID: a.ID, Type: a.Type, Target: a.Target, Outcome: NotRun})
			continue
		}
		if why, ok := abortedPools[rotatedPool(a)]; ok && a.Type == plan.RotateNode {
			cr.Actions = append(cr.Actions, ActionResult{ID: a.ID, Type: a.Type, Target: a.Target, Outcome: NotRun, Reason: why})
			continue
		}
		ar := r.runAction(ctx, a)
		cr.Actions = append(cr.Actions, ar.ActionResult)
		if ar.Outcome != Failed {
			continue
		}
		var ab *RotationAbortedError
		if errors.As(ar.err, &ab) {
			// Only this pool's rotation stops; the failure is still the cluster's outcome.
			abortedPools[rotatedPool(a)] = "rotation-aborted: " + ar.ID
			aborted = cmpOrErr(aborted, ar.err)
			continue
		}
		stop = ar.err
	}
	cr.ID = r.id
	if stop = cmpOrErr(stop, aborted); stop != nil {
		cr.State, cr.Err, cr.Error = ClusterFailed, stop, stop.Error()
	}
	return cr
}

func cmpOrErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// runAction runs one action with its events and timing.
func (r *clusterRun) runAction(ctx context.Context, a plan.Action) (ar actionResult) {
	e := r.e
	start := e.clock().Now()
	e.emit(Event{Kind: EventActionStart, Cluster: r.cp.Name, ActionID: a.ID, Type: a.Type, Message: fmt.Sprintf("%s: started (%s)", a.ID, cmp.Or(a.Reason, string(a.Type)))})
	outcome, reason, err := r.dispatch(ctx, a)
	ar = actionResult{ActionResult: ActionResult{ID: a.ID, Type: a.Type, Target: a.Target, Outcome: outcome,
		Duration: e.clock().Since(start), Reason: reason}}
	if err != nil {
		ar.Outcome, ar.err = Failed, fmt.Errorf("%s: %w", a.ID, err)
		ar.Error = err.Error()
	}
	switch {
	case err != nil && ctx.Err() != nil:
		// Cut short by the caller (a SIGTERM, a lost lease): not an error of the action.
		e.log().InfoContext(ctx, "action interrupted", "cluster", r.cp.Name, "action", a.ID, "err", err)
	case err != nil:
		e.log().ErrorContext(ctx, "action failed", "cluster", r.cp.Name, "action", a.ID, "err", err)
	default:
		e.log().InfoContext(ctx, "action finished", "cluster", r.cp.Name, "action", a.ID, "outcome", outcome, "reason", reason)
	}
	msg := fmt.Sprintf("%s: %s after %s", a.ID, ar.Outcome, ar.Duration.Round(1e9))
	if ar.Reason != "" {
		msg += " (" + ar.Reason + ")"
	}
	if ar.Error != "" {
		msg += ": " + ar.Error
	}
	e.emit(Event{Kind: EventActionEnd, Cluster: r.cp.Name, ActionID: a.ID, Type: a.Type, Outcome: ar.Outcome, Elapsed: ar.Duration, Message: msg})
	return ar
}

// actionResult carries the error value beside its text.
type actionResult struct {
	ActionResult
	err error
}

// observe returns the cluster's fresh live state, nil when it does not exist. Before the cluster's
// ID is known it lists the project and matches by name. It does not retry: the provider retries
// each read, and a retry around it would multiply the tries.
func (r *clusterRun) observe(ctx context.Context) (*cloud.Cluster, error) {
	if r.id != "" {
		c, err := r.e.Provider.GetCluster(ctx, r.ref.Region, r.id)
		if cloud.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get cluster %q: %w", r.cp.Name, err)
		}
		return c, nil
	}
	snap, err := r.e.Provider.Observe(ctx, r.ref)
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", r.ref.Region, err)
	}
	return findCluster(snap.Clusters, r.ref.Region, r.ref.ProjectID, r.cp.Name), nil
}

// findCluster returns the cluster named name in region (and project, when both are known).
func findCluster(cs []cloud.Cluster, region, project, name string) *cloud.Cluster {
	for i := range cs {
		c := &cs[i]
		if c.Name != name || (c.Region != "" && region != "" && c.Region != region) {
			continue
		}
		if project != "" && c.ProjectID != "" && c.ProjectID != project {
			continue
		}
		return c
	}
	return nil
}

func findPool(c *cloud.Cluster, name string) *cloud.Pool {
	if c == nil {
		return nil
	}
	for i := range c.Pools {
		if c.Pools[i].Name == name {
			return &c.Pools[i]
		}
	}
	return nil
}

// ours reports whether an existing cluster is the one this run meant to create (an earlier,
// interrupted create): it carries the owner tag the cluster to create names, or, when that one
// names none (unknown repository identity), the ownership tag and no owner tag at all.
func (r *clusterRun) ours(c *cloud.Cluster) bool {
	want := ""
	if len(r.cp.Actions) > 0 && r.cp.Actions[0].Payload.Cluster != nil {
		want = r.cp.Actions[0].Payload.Cluster.Owner()
	}
	if want == "" {
		return c.Managed() && len(c.Owners()) == 0
	}
	return c.OwnedBy(want)
}
