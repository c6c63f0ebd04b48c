package cloudfake_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudfake"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudtest"
)

var (
	ref   = cloud.Ref{Region: "fr-par", ProjectID: "11111111-1111-4111-8111-111111111111"}
	start = time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
)

func newFake(opts ...cloudfake.Option) (*cloudfake.Fake, *testingclock.FakeClock) {
	clk := testingclock.NewFakeClock(start)
	return cloudfake.New(append([]cloudfake.Option{cloudfake.WithClock(clk), cloudfake.WithReadyAfter(time.Minute)}, opts...)...), clk
}

func TestContract(t *testing.T) {
	cloudtest.Run(t, func(t *testing.T) cloudtest.Env {
		// fr-par-1 strict, as the API: the contract checks that an unknown type is refused.
		f, clk := newFake(cloudfake.WithNodeTypes("fr-par-1", cloudfake.DefaultNodeTypes("fr-par-1")...))
		return cloudtest.Env{
			Provider: f, Ref: ref, OtherProject: "22222222-2222-4222-8222-222222222222",
			Settle: func() { clk.Step(time.Minute) }, SettleOnly: true,
		}
	})
}

func kapsule(name, version string, pools ...cloud.Pool) cloud.Cluster {
	return cloud.Cluster{Name: name, Type: "kapsule", Version: version, Pools: pools}
}

func TestStatusesFollowTheClock(t *testing.T) {
	f, clk := newFake()
	ctx := t.Context()
	c, err := f.CreateCluster(ctx, ref, kapsule("a", "1.35.3", cloud.Pool{Name: "p", NodeType: "PRO2-XXS", Size: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Pools) != 0 {
		t.Errorf("create response has %d pools, want none (as the API)", len(c.Pools))
	}
	c, _ = f.GetCluster(ctx, "fr-par", c.ID)
	if c.Status != "creating" || c.Pools[0].Status != "scaling" || len(c.Pools[0].Nodes) != 2 || c.Pools[0].Nodes[0].Status != "creating" {
		t.Fatalf("after create: %s / %s / %+v", c.Status, c.Pools[0].Status, c.Pools[0].Nodes)
	}
	clk.Step(59 * time.Second)
	got, _ := f.GetCluster(ctx, "fr-par", c.ID)
	if got.Status != "creating" {
		t.Errorf("59s after create: status %q, want creating", got.Status)
	}
	clk.Step(time.Second)
	got, _ = f.GetCluster(ctx, "fr-par", c.ID)
	if got.Status != "ready" || got.Pools[0].Status != "ready" || got.Pools[0].Nodes[1].Status != "ready" {
		t.Errorf("60s after create: %s / %s / %s, want all ready", got.Status, got.Pools[0].Status, got.Pools[0].Nodes[1].Status)
	}
	if got.Pools[0].NodeType != "pro2_xxs" || got.Pools[0].Zone != "fr-par-1" || got.Pools[0].MinSize != 2 || got.Pools[0].MaxSize != 2 {
		t.Errorf("pool defaults = %+v", got.Pools[0])
	}
}

func TestFailNextAndCalls(t *testing.T) {
	f, _ := newFake()
	ctx := t.Context()
	c, _ := f.CreateCluster(ctx, ref, kapsule("a", "1.34.6", cloud.Pool{Name: "p", Size: 1}))
	f.Step()
	boom := &cloud.TransientError{Reason: "rate_limited", Err: errors.New("429")}
	f.FailNext("UpgradeCluster", boom)
	if err := f.UpgradeCluster(ctx, "fr-par", c.ID, "1.35.3", true); !errors.Is(err, boom) {
		t.Fatalf("first upgrade err = %v, want the injected error", err)
	}
	got, _ := f.GetCluster(ctx, "fr-par", c.ID)
	if got.Version != "1.34.6" {
		t.Errorf("an injected failure changed state: version %s", got.Version)
	}
	if err := f.UpgradeCluster(ctx, "fr-par", c.ID, "1.35.3", true); err != nil {
		t.Fatalf("second upgrade: %v", err)
	}
	want := []string{"CreateCluster(a, 1.34.6)", "UpgradeCluster(" + c.ID + ", 1.35.3, upgradePools)", "UpgradeCluster(" + c.ID + ", 1.35.3, upgradePools)"}
	if diff := cmp.Diff(want, f.CallNames(true)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if calls := f.Calls(); !errors.Is(calls[1].Err, boom) || calls[3].Err != nil {
		t.Errorf("recorded errors = %v / %v", calls[1].Err, calls[3].Err)
	}
	got, _ = f.GetCluster(ctx, "fr-par", c.ID)
	if got.Status != "updating" || got.Pools[0].Status != "upgrading" || got.Pools[0].Version != "1.35.3" {
		t.Errorf("after upgrade with pools: %s / %s %s", got.Status, got.Pools[0].Status, got.Pools[0].Version)
	}
}

func TestLocked(t *testing.T) {
	f, _ := newFake()
	ctx := t.Context()
	c, _ := f.CreateCluster(ctx, ref, kapsule("a", "1.34.6", cloud.Pool{Name: "p", Size: 1}))
	f.Step()
	if !f.Locked(c.ID) {
		t.Fatal("Locked: cluster not found")
	}
	desc := "x"
	_, err := f.UpdateCluster(ctx, "fr-par", c.ID, cloud.ClusterUpdate{Description: &desc})
	var te *cloud.TerminalError
	if !errors.As(err, &te) || te.Reason != "locked" {
		t.Errorf("update of a locked cluster: err = %v, want terminal locked", err)
	}
	got, _ := f.GetCluster(ctx, "fr-par", c.ID)
	if err := f.UpgradePool(ctx, "fr-par", got.Pools[0].ID, "1.34.6"); !cloud.IsTerminal(err) {
		t.Errorf("upgrade of a pool in a locked cluster: err = %v, want terminal", err)
	}
}

func TestReplaceNodeUsesTheClock(t *testing.T) {
	f, clk := newFake()
	ctx := t.Context()
	c, _ := f.CreateCluster(ctx, ref, kapsule("a", "1.35.3", cloud.Pool{Name: "p", Size: 1}))
	f.Step()
	got, _ := f.GetCluster(ctx, "fr-par", c.ID)
	old := got.Pools[0].Nodes[0]
	clk.Step(24 * time.Hour)
	if err := f.ReplaceNode(ctx, "fr-par", old.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = f.GetCluster(ctx, "fr-par", c.ID)
	if n := got.Pools[0].Nodes; len(n) != 2 || n[0].Status != "deleting" || n[1].Status != "creating" || got.Pools[0].Status != "scaling" {
		t.Fatalf("during replace: pool %s nodes %+v", got.Pools[0].Status, n)
	}
	if err := f.ReplaceNode(ctx, "fr-par", old.ID); !cloud.IsTransient(err) {
		t.Errorf("replace of a deleting node: err = %v, want transient", err)
	}
	clk.Step(time.Minute)
	got, _ = f.GetCluster(ctx, "fr-par", c.ID)
	n := got.Pools[0].Nodes
	if len(n) != 1 || n[0].ID == old.ID || !n[0].CreatedAt.Equal(start.Add(24*time.Hour)) || n[0].Status != "ready" {
		t.Errorf("after replace: %+v, want one new ready node created at %v", n, start.Add(24*time.Hour))
	}
}

func TestSeedAndLastPoolDeleted(t *testing.T) {
	f, _ := newFake()
	ctx := t.Context()
	created := start.Add(-40 * 24 * time.Hour)
	c := f.Seed(ref, cloud.Cluster{Name: "old", Type: "kapsule", Status: "ready", Version: "1.33.10",
		Pools: []cloud.Pool{{Name: "p", Status: "ready", Version: "1.33.10", Size: 1,
			Nodes: []cloud.Node{{Name: "n1", Status: "ready", CreatedAt: created}}}}})
	snap, err := f.Observe(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Clusters) != 1 || !snap.Clusters[0].Pools[0].Nodes[0].CreatedAt.Equal(created) || len(snap.Versions) != 4 {
		t.Fatalf("observe after seed = %+v", snap)
	}
	if err := f.UpgradeCluster(ctx, "fr-par", c.ID, "1.35.3", false); !cloud.IsTerminal(err) {
		t.Errorf("skip-minor upgrade: err = %v, want terminal", err)
	}
	if err := f.DeletePool(ctx, "fr-par", c.Pools[0].ID); err != nil {
		t.Fatal(err)
	}
	f.Step()
	got, _ := f.GetCluster(ctx, "fr-par", c.ID)
	if got.Status != "pool_required" || len(got.Pools) != 0 {
		t.Errorf("after deleting the last pool: %s with %d pools, want pool_required and none", got.Status, len(got.Pools))
	}
	if f.Pending() {
		t.Error("Pending after Step")
	}
}

func TestReturnsCopies(t *testing.T) {
	f, _ := newFake()
	created, _ := f.CreateCluster(t.Context(), ref, kapsule("a", "1.35.3", cloud.Pool{Name: "p", Size: 1}))
	c, _ := f.GetCluster(t.Context(), "fr-par", created.ID)
	c.Tags = append(c.Tags, "mutated")
	c.Pools[0].Labels["x"] = "y"
	got, _ := f.GetCluster(t.Context(), "fr-par", c.ID)
	if slices.Contains(got.Tags, "mutated") || got.Pools[0].Labels["x"] == "y" {
		t.Error("a caller's mutation of a returned value leaked into the fake")
	}
}
