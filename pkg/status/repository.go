package status

import (
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// RepositoryName is the status file of what concerns the repository rather than one cluster
// (status/_repository.yaml): validation errors before any revision loaded, and orphans.
const RepositoryName = "_repository"

// OrphansOf lists the plan's orphans (plan.ClusterPlan.Orphan) with what happens to each.
func OrphansOf(p *plan.Plan) []Orphan {
	if p == nil {
		return nil
	}
	var out []Orphan
	for _, cp := range p.Clusters {
		if !cp.Orphan {
			continue
		}
		o := Orphan{Name: cp.Name, Region: cp.Region, ProjectID: cp.ProjectID, ID: cp.ID, Action: "kept"}
		switch {
		case len(cp.Actions) > 0:
			o.Action = string(cp.Actions[0].Type)
		case len(cp.Deferred) > 0:
			o.Action, o.Message = "deferred", cp.Deferred[0].Message
		}
		for _, w := range cp.Warnings {
			if w.Code == "cluster-not-in-spec" {
				o.Message = w.Message
			}
		}
		out = append(out, o)
	}
	return out
}

// BuildRepository assembles status/_repository.yaml for revision rev: the orphans, with a Ready
// condition that is False while there are any.
func BuildRepository(rev string, orphans []Orphan) *ClusterStatus {
	s := &ClusterStatus{APIVersion: APIVersion, Kind: Kind, Cluster: RepositoryName, LastAttemptedRevision: rev, Orphans: orphans}
	ready := Condition{Type: Ready, Status: "True", Reason: "NoOrphans"}
	if len(orphans) > 0 {
		names := make([]string, 0, len(orphans))
		for _, o := range orphans {
			names = append(names, o.Name+" ("+o.ID+")")
		}
		ready = Condition{Type: Ready, Status: "False", Reason: "OrphansFound",
			Message: plural(len(orphans), "cluster") + " owned by this repository with no spec and no status: " + strings.Join(names, ", ")}
	}
	s.Conditions = []Condition{ready}
	return s
}
