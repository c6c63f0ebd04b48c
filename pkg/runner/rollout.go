package runner

import (
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// The rollout's clock lives in the status files: each pass writes, for every cluster of a
// fleet that uses more than one wave, since when it has been healthy (status.NextRollout), and
// the next pass plans with those times (plan.Input.Health). A restarted loop reads them back from
// the repository, so a soak in progress keeps its start.

// recordedHealth is what the statuses known record of each cluster's health, for the plan.
func (r *Runner) recordedHealth() map[string]plan.Health { return status.HealthFrom(r.state.statuses) }

// recordRollout fills the rollout record of each status from the pass's final plan and
// observation, keeping the previous health clocks; it announces a cluster whose hops a lower
// wave newly halts (event "halted", the notification hook).
func (r *Runner) recordRollout(statuses []*status.ClusterStatus, po *passOutcome) {
	if po == nil || po.pass.final() == nil || po.pass.final().Plan == nil || po.pass.final().Plan.Rollout == nil {
		return
	}
	final := po.pass.final()
	plans := map[string]*plan.ClusterPlan{}
	for i := range final.Plan.Clusters {
		c := &final.Plan.Clusters[i]
		plans[plan.Key(c.Region, c.ProjectID, c.Name)] = c
	}
	lives := map[string]*cloud.Cluster{}
	for _, s := range final.Snapshots {
		if s == nil {
			continue
		}
		for i := range s.Clusters {
			if c := &s.Clusters[i]; c.Status != "deleted" {
				lives[plan.Key(s.Ref.Region, s.Ref.ProjectID, c.Name)] = c
			}
		}
	}
	prev := r.previousStatuses()
	now := r.clock().Now()
	for _, st := range statuses {
		key := plan.Key(st.Region, st.ProjectID, st.Cluster)
		cp, ok := plans[key]
		if !ok || cp.Rollout == nil {
			continue
		}
		var before *status.RolloutStatus
		if p := prev[st.Cluster]; p != nil {
			before = p.Rollout
		}
		st.Rollout = status.NextRollout(before, cp, lives[key], st.LastError, now)
		if st.Rollout.Halted != "" && (before == nil || before.Halted != st.Rollout.Halted) {
			r.notify("halted", "rollout halted for %s: %s", st.Cluster, st.Rollout.Halted)
		}
	}
}
