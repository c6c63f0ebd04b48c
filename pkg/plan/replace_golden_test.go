package plan

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The replacement goldens: a fresh replacement of a pool with nodes, and the snapshot after a
// crash at each step (testdata/plan/replace-*). Each resumed state plans the steps that remain,
// one replace-pool acting on the same new pool, never a second one and never the new one's
// deletion.
func init() {
	resumed := func(steps string) func(t *testing.T, p *Plan, err error) {
		return func(t *testing.T, p *Plan, err error) {
			mustPlan(t, p, err)
			wantIDs(t, p, "prod-par", "prod-par/replace-pool/default")
			a := cluster(t, p, "prod-par").Actions[0]
			wantReplace(t, a, steps)
			if a.Details["new_pool_id"] != "p-new" || a.Payload.NewPool.ID != "p-new" || a.Payload.NewPool.Name != "default-0a1b2c" {
				t.Errorf("the resumed replacement does not act on the existing new pool: %+v", a.Details)
			}
		}
	}
	for name, check := range map[string]func(t *testing.T, p *Plan, err error){
		"replace-drain-steps": func(t *testing.T, p *Plan, err error) {
			mustPlan(t, p, err)
			wantIDs(t, p, "prod-par", "prod-par/replace-pool/default")
			a := cluster(t, p, "prod-par").Actions[0]
			wantReplace(t, a, "create-new,wait-ready,cordon,drain,delete-old")
			rp := a.Payload.Replace
			if rp.Budget != 2 || rp.DrainTimeout != 10*time.Minute || rp.OnDrainTimeout != "force" {
				t.Errorf("drain policy = %+v, want the pool's rotation block (budget 2, 10m, force)", rp)
			}
			if np := a.Payload.NewPool; np.ID != "" || !slices.Contains(np.Tags, ReplacesTag("p-default")) || !strings.HasPrefix(np.Name, "default-") {
				t.Errorf("new pool = %+v, want a pool to create tagged %s", np, ReplacesTag("p-default"))
			}
			if txt := Text(p); !strings.Contains(txt, "respecting PodDisruptionBudgets") {
				t.Errorf("the text does not say the drain respects PodDisruptionBudgets:\n%s", txt)
			}
		},
		"replace-resume-created":    resumed("wait-ready,cordon,drain,delete-old"),
		"replace-resume-ready":      resumed("cordon,drain,delete-old"),
		"replace-resume-cordoned":   resumed("drain,delete-old"),
		"replace-resume-drained":    resumed("delete-old"),
		"replace-resume-stale-mark": resumed("cordon,drain,delete-old"),
		"replace-resume-deleting":   resumed("delete-old"),
		"replace-resume-outside-window": func(t *testing.T, p *Plan, err error) {
			mustPlan(t, p, err)
			wantIDs(t, p, "prod-par")
			wantDeferred(t, p, "prod-par", map[string]string{"prod-par/replace-pool/default": WhyOutsideWindow})
			if s := cluster(t, p, "prod-par").Deferred[0].Action.Details["steps"]; s != "drain,delete-old" {
				t.Errorf("deferred steps = %q", s)
			}
		},
		"replace-done": func(t *testing.T, p *Plan, err error) {
			mustPlan(t, p, err)
			if !p.Empty() || len(cluster(t, p, "prod-par").Deferred) > 0 {
				t.Errorf("a finished replacement plans %+v (its replaces tag is the reconciler's, not a drift)", cluster(t, p, "prod-par"))
			}
		},
	} {
		checks[name] = check
	}
}

func wantReplace(t *testing.T, a Action, steps string) {
	t.Helper()
	if a.Type != ReplacePool || !a.Disruptive || a.Details["steps"] != steps || a.Payload.Replace == nil ||
		strings.Join(a.Payload.Replace.Steps, ",") != steps || a.Payload.Replace.OldPoolID != "p-default" || a.Payload.Pool != "default" {
		t.Errorf("replace-pool %s: steps %q (payload %+v), want %q on the old pool p-default", a.ID, a.Details["steps"], a.Payload.Replace, steps)
	}
}

// A replacement under way that the window defers still keeps node rotation off the old pool:
// its nodes are cordoned for the new one, and replacing them would be wasted work.
func TestRotationOfARetiringPoolIsSuperseded(t *testing.T) {
	in := loadCase(t, "testdata/plan/replace-resume-outside-window")
	in.Rotate = true
	for _, s := range in.Snapshots {
		for i := range s.Clusters[0].Pools {
			for j := range s.Clusters[0].Pools[i].Nodes {
				s.Clusters[0].Pools[i].Nodes[j].CreatedAt = in.Now.Add(-60 * 24 * time.Hour)
			}
		}
	}
	p, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	cp := cluster(t, p, "prod-par")
	rotations := 0
	for _, a := range cp.Actions {
		if a.Type == RotateNode && a.Payload.Rotate.Pool == "default" {
			t.Errorf("rotation of the retiring pool planned: %s", a.ID)
		}
	}
	for _, d := range cp.Deferred {
		if d.Action.Type == RotateNode && d.Action.Payload.Rotate.Pool == "default" && d.Why == WhySuperseded {
			rotations++
		}
	}
	if rotations == 0 {
		t.Fatalf("no rotation of the old pool deferred as superseded: %+v", cp.Deferred)
	}
}
