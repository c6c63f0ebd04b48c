package runner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
)

// commitMessage is a status commit's message: the clusters whose status changed, the revision
// in force, and the real reason of the pass (what triggered it and what it did), never just the
// label of the check that happened to run it.
func commitMessage(names []string, rev string, res *TickResult, po *passOutcome) string {
	cause := passCause(res, po)
	subject := fmt.Sprintf("status: %s @ %s (%s)", strings.Join(names, ", "), revision.Short(rev), cause)
	body := fmt.Sprintf("Reason: %s.", cause)
	if did := passDid(po); len(did) > 0 {
		body += "\n\nDone:\n- " + strings.Join(did, "\n- ")
	}
	body += fmt.Sprintf("\n\nActions done: %d.", res.Applied)
	if len(res.Failed) > 0 {
		body += "\nFailed: " + strings.Join(res.Failed, "; ") + "."
	}
	if res.Invalid {
		body += " The revision failed validation; nothing was applied from it."
	}
	return subject + "\n\n" + body + "\n"
}

// passCause says in a few words why the pass ran, refined by what it did: an upgrade done in a
// window is "upgrade window opened", an update done on unchanged specs is "drift reverted" (not
// from `reconciler apply`, which cannot tell).
func passCause(res *TickResult, po *passOutcome) string {
	done := doneActions(po)
	has := func(types ...plan.ActionType) bool {
		return slices.ContainsFunc(done, func(a plan.Action) bool { return slices.Contains(types, a.Type) })
	}
	failed := po != nil && po.err != nil || len(res.Failed) > 0
	switch {
	case res.Invalid:
		return "new revision failed validation"
	case res.Why == "spec-changed":
		return "new revision"
	case res.Why == "retry" && failed:
		return "retry after failure, failed again"
	case res.Why == "retry":
		return "retry after failure"
	case failed:
		return "pass failed"
	case res.Why == "transition":
		return "resumed after a cluster or pool settled"
	case res.Why == "fleet-changed":
		return "rollout facts of other shards changed"
	case has(plan.UpgradeCluster, plan.UpgradePool):
		return "upgrade window opened"
	case has(plan.RotateNode):
		return "rotation window opened"
	case has(plan.UpdateCluster, plan.UpdatePool) && res.Why != "apply":
		// an update is a drift reverted only when the specs did not change; `reconciler apply`
		// cannot tell an edited spec from drift, so it says that it applied
		return "drift reverted"
	case res.Why == "window" || res.Why == "window-open":
		return "maintenance window open"
	case res.Why == "leading":
		return "this instance became the leader"
	case res.Why == "shards-changed":
		return "shard assignment changed"
	case res.Why == "apply":
		return "reconciler apply"
	case res.Why == "drift-check":
		return "drift check"
	}
	return res.Why
}

// passDid lists what the apply of po did, one line per done action, with the fields an update
// set back.
func passDid(po *passOutcome) []string {
	var out []string
	for _, a := range doneActions(po) {
		line := string(a.Type) + " " + strings.TrimPrefix(strings.TrimPrefix(a.Target, "cluster/"), "pool/")
		if v := a.Details["version"]; v != "" {
			line += " to " + v
		}
		if a.Type == plan.UpdateCluster || a.Type == plan.UpdatePool {
			var fields []string
			for _, c := range a.Changes {
				fields = append(fields, c.Path)
			}
			line += ": " + strings.Join(fields, ", ")
		}
		out = append(out, line)
	}
	return out
}

// doneActions are the planned actions of po's apply whose outcome was done, in apply order.
func doneActions(po *passOutcome) []plan.Action {
	if po == nil || po.pass == nil || po.pass.applied == nil || po.pass.first == nil || po.pass.first.Plan == nil {
		return nil
	}
	byID := map[string]plan.Action{}
	for _, c := range po.pass.first.Plan.Clusters {
		for _, a := range c.Actions {
			byID[a.ID] = a
		}
	}
	var out []plan.Action
	for _, c := range po.pass.applied.Clusters {
		for _, ar := range c.Actions {
			if a, ok := byID[ar.ID]; ok && ar.Outcome == apply.Done {
				out = append(out, a)
			}
		}
	}
	return out
}
