package apply

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func TestCreateClusterWithPoolsConverges(t *testing.T) {
	e := newEnv(t, 2*time.Minute)
	d := desiredCluster("prod-par", "1.35.3")
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("prod-par", "",
		act("prod-par", plan.CreateCluster, "cluster/prod-par", "1.35.3", nil))}}

	res := e.apply(t, fill(p, []cloud.Cluster{d}...), Input{})

	cr := res.Clusters[0]
	if cr.State != ClusterApplied || cr.ID == "" {
		t.Fatalf("cluster result = %+v, want applied with an ID", cr)
	}
	if diff := cmp.Diff([]string{"prod-par/create-cluster/1.35.3=done"}, outcomes(cr)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CreateCluster(prod-par, 1.35.3)"}, e.fake.CallNames(true)); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
	snap, _ := e.fake.Observe(t.Context(), ref)
	live := snap.Clusters[0]
	if live.Status != "ready" || !live.Managed() || len(live.Pools) != 2 {
		t.Fatalf("live cluster = status %s tags %v pools %d, want ready, owned, 2 pools", live.Status, live.Tags, len(live.Pools))
	}
	for _, pl := range live.Pools {
		ok, st, _ := poolReadyState(live.Name, &pl)
		if !ok {
			t.Errorf("pool %s not converged: %s", pl.Name, st)
		}
	}
	// the wait reported progress with the live status
	if msgs := e.eventMessages(EventWaiting); len(msgs) == 0 || msgs[0] != "waiting for cluster prod-par to be ready: 0s, status creating" {
		t.Errorf("waiting events = %q", msgs)
	}
	if took := cr.Actions[0].Duration; took < 2*time.Minute {
		t.Errorf("create took %s on the fake clock, want at least the fake's 2m transition", took)
	}
}

func TestUpgradeChainRunsInPlanOrder(t *testing.T) {
	e := newEnv(t, time.Minute)
	seeded := seedReady(e.fake, desiredCluster("prod-par", "1.33.10"))
	d := desiredCluster("prod-par", "1.35.3")
	var actions []plan.Action
	for _, v := range []string{"1.34.6", "1.35.3"} {
		actions = append(actions, act("prod-par", plan.UpgradeCluster, "cluster/prod-par", v, map[string]string{"version": v}))
		for _, pool := range []string{"batch", "default"} {
			actions = append(actions, act("prod-par", plan.UpgradePool, "pool/prod-par/"+pool, pool+"/"+v, map[string]string{"version": v}))
		}
	}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("prod-par", seeded.ID, actions...)}}

	res := e.apply(t, fill(p, []cloud.Cluster{d}...), Input{})

	if res.Failed() {
		t.Fatalf("apply failed: %+v", res.Clusters[0])
	}
	ids := map[string]string{}
	for _, pl := range seeded.Pools {
		ids[pl.Name] = pl.ID
	}
	want := []string{
		"UpgradeCluster(" + seeded.ID + ", 1.34.6)",
		"UpgradePool(" + ids["batch"] + ", 1.34.6)",
		"UpgradePool(" + ids["default"] + ", 1.34.6)",
		"UpgradeCluster(" + seeded.ID + ", 1.35.3)",
		"UpgradePool(" + ids["batch"] + ", 1.35.3)",
		"UpgradePool(" + ids["default"] + ", 1.35.3)",
	}
	if diff := cmp.Diff(want, e.fake.CallNames(true)); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
	live, _ := e.fake.GetCluster(t.Context(), ref.Region, seeded.ID)
	for _, pl := range live.Pools {
		if pl.Version != "1.35.3" || pl.Status != "ready" {
			t.Errorf("pool %s = %s %s, want 1.35.3 ready", pl.Name, pl.Version, pl.Status)
		}
	}
}

func TestUpdatePoolSendsOnlyWhatStillDiffers(t *testing.T) {
	e := newEnv(t, 0)
	seeded := seedReady(e.fake, desiredCluster("prod-par", "1.35.3"))
	a := act("prod-par", plan.UpdatePool, "pool/prod-par/default", "default", map[string]string{"pool": "default"})
	a.Changes = []plan.Change{
		{Path: "spec.pools[default].labels", Before: map[string]string{"tier": "web"}, After: map[string]string{"tier": "api"}},
		{Path: "spec.pools[default].autohealing", Before: false, After: true}, // already true live
	}
	labels, healing := map[string]string{"tier": "api"}, true
	a.Payload.PoolPatch = &plan.PoolPatch{Labels: &labels, Update: cloud.PoolUpdate{Autohealing: &healing}}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("prod-par", seeded.ID, a)}}

	res := e.apply(t, p, Input{})

	want := []string{"SetPoolLabels(" + seeded.Pools[0].ID + ")"}
	if diff := cmp.Diff(want, e.fake.CallNames(true)); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
	live, _ := e.fake.GetCluster(t.Context(), ref.Region, seeded.ID)
	if got := findPool(live, "default").Labels["tier"]; got != "api" || res.Clusters[0].Actions[0].Outcome != Done {
		t.Errorf("label tier = %q, outcome %s", got, res.Clusters[0].Actions[0].Outcome)
	}
	e.fake.ResetCalls()
	res = e.apply(t, p, Input{})
	if got := res.Clusters[0].Actions[0]; got.Outcome != Skipped || len(e.fake.CallNames(true)) != 0 {
		t.Errorf("re-run: %+v, calls %v", got, e.fake.CallNames(true))
	}
}

func TestUpdateClusterPatchesWhatThePlanSays(t *testing.T) {
	e := newEnv(t, time.Minute)
	seeded := seedReady(e.fake, desiredCluster("prod-par", "1.35.3"))
	a := act("prod-par", plan.UpdateCluster, "cluster/prod-par", "", nil)
	a.ID = "prod-par/update-cluster"
	a.Changes = []plan.Change{{Path: "spec.autoscaler.expander", Before: "random", After: "least_waste"}}
	as := seeded.Autoscaler
	as.Expander = "least_waste"
	a.Payload.ClusterUpdate = &cloud.ClusterUpdate{Autoscaler: &as}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("prod-par", seeded.ID, a)}}

	res := e.apply(t, p, Input{})

	live, _ := e.fake.GetCluster(t.Context(), ref.Region, seeded.ID)
	if res.Failed() || live.Autoscaler.Expander != "least_waste" || live.Autoscaler.ScaleDownDelayAfterAdd != seeded.Autoscaler.ScaleDownDelayAfterAdd || live.Status != "ready" {
		t.Fatalf("after update: %+v, result %+v", live.Autoscaler, res.Clusters[0])
	}
}

func TestReplacePoolCreatesThenDeletes(t *testing.T) {
	e := newEnv(t, time.Minute)
	seeded := seedReady(e.fake, desiredCluster("prod-par", "1.35.3"))
	d := desiredCluster("prod-par", "1.35.3")
	d.Pools[1].NodeType = "pro2_l"
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("prod-par", seeded.ID,
		act("prod-par", plan.ReplacePool, "pool/prod-par/batch", "batch", map[string]string{"new_pool": "batch-2", "pool_id": seeded.Pools[1].ID}))}}
	e.exec.Drainer = newFakeDrainer(e.fake)

	res := e.apply(t, fill(p, []cloud.Cluster{d}...), Input{})

	if res.Failed() {
		t.Fatalf("apply failed: %+v", res.Clusters[0])
	}
	// between the two: the old pool marked cordoned, then drained (replace_test.go)
	old := seeded.Pools[1].ID
	want := []string{"CreatePool(batch-2, " + seeded.ID + ")", "UpdatePool(" + old + ")", "UpdatePool(" + old + ")", "DeletePool(" + old + ")"}
	if diff := cmp.Diff(want, e.fake.CallNames(true)); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
	live, _ := e.fake.GetCluster(t.Context(), ref.Region, seeded.ID)
	if got := findPool(live, "batch-2"); got == nil || got.NodeType != "pro2_l" || findPool(live, "batch") != nil {
		t.Errorf("pools after replace = %+v", live.Pools)
	}
}

func TestRotateNodeWithoutRotatorIsSkippedWithReason(t *testing.T) {
	e := newEnv(t, 0)
	seeded := seedReady(e.fake, desiredCluster("prod-par", "1.35.3"))
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("prod-par", seeded.ID,
		act("prod-par", plan.RotateNode, "node/prod-par/default/default-a", "default-a", nil))}}

	res := e.apply(t, p, Input{})

	a := res.Clusters[0].Actions[0]
	if a.Outcome != Skipped || a.Reason == "" {
		t.Fatalf("rotate-node = %+v, want skipped with a reason", a)
	}

	rot := &recordingRotator{}
	e.exec.Rotator = rot
	res = e.apply(t, p, Input{})
	if a := res.Clusters[0].Actions[0]; a.Outcome != Done || len(rot.got) != 1 || rot.got[0] != "default/default-a" {
		t.Fatalf("with a rotator: %+v, rotator saw %v", a, rot.got)
	}
}

type recordingRotator struct{ got []string }

func (r *recordingRotator) RotateNode(_ context.Context, req RotateRequest) error {
	r.got = append(r.got, req.Pool+"/"+req.Node)
	return nil
}
