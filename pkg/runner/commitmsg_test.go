package runner

import (
	"errors"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
)

// outcomeOf is a pass whose apply ran actions, every one done.
func outcomeOf(actions ...plan.Action) *passOutcome {
	cr := apply.ClusterResult{Name: "payments", State: apply.ClusterApplied}
	for _, a := range actions {
		cr.Actions = append(cr.Actions, apply.ActionResult{ID: a.ID, Type: a.Type, Outcome: apply.Done})
	}
	res := &apply.Result{Clusters: []apply.ClusterResult{cr}}
	first := &reconcile.Pass{Plan: &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "payments", Actions: actions}}}, Result: res}
	return &passOutcome{pass: &passResult{first: first, applied: res}}
}

// The commit message names what really happened, whatever check ran the pass.
func TestCommitMessageStatesTheRealReason(t *testing.T) {
	upgrade := plan.Action{ID: "payments/upgrade-cluster/1.36.5", Type: plan.UpgradeCluster, Target: "cluster/payments",
		Details: map[string]string{"version": "1.36.5"}}
	update := plan.Action{ID: "payments/update-cluster", Type: plan.UpdateCluster, Target: "cluster/payments",
		Changes: []plan.Change{{Path: "spec.tags", Before: []any{"x"}, After: []any{}}}}
	rotate := plan.Action{ID: "payments/rotate-node/web/n1", Type: plan.RotateNode, Target: "node/payments/web/n1"}
	cases := []struct {
		name  string
		res   *TickResult
		po    *passOutcome
		cause string
		body  string
	}{
		{"upgrade during a drift check", &TickResult{Why: "drift-check", Applied: 1}, outcomeOf(upgrade), "upgrade window opened", "upgrade-cluster payments to 1.36.5"},
		{"rotation", &TickResult{Why: "window-open", Applied: 1}, outcomeOf(rotate), "rotation window opened", "rotate-node node/payments/web/n1"},
		{"drift", &TickResult{Why: "drift-check", Applied: 1}, outcomeOf(update), "drift reverted", "update-cluster payments: spec.tags"},
		{"new revision", &TickResult{Why: "spec-changed", Applied: 1}, outcomeOf(update), "new revision", ""},
		{"apply of an edited spec", &TickResult{Why: "apply", Applied: 1}, outcomeOf(update), "reconciler apply", "update-cluster payments: spec.tags"},
		{"retry", &TickResult{Why: "retry"}, &passOutcome{pass: &passResult{}}, "retry after failure", ""},
		{"retry failed", &TickResult{Why: "retry"}, &passOutcome{err: errors.New("observe: 503")}, "retry after failure, failed again", ""},
		{"quiet drift check", &TickResult{Why: "drift-check"}, &passOutcome{pass: &passResult{}}, "drift check", ""},
		{"invalid", &TickResult{Why: "spec-changed", Invalid: true}, nil, "new revision failed validation", "failed validation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := commitMessage([]string{"payments"}, "0123456789abcdef", c.res, c.po)
			subject := strings.SplitN(msg, "\n", 2)[0]
			if want := "status: payments @ 0123456789ab (" + c.cause + ")"; subject != want {
				t.Errorf("subject = %q, want %q", subject, want)
			}
			if strings.Contains(msg, "Pass reason") || !strings.Contains(msg, c.body) {
				t.Errorf("message lacks %q:\n%s", c.body, msg)
			}
		})
	}
}
