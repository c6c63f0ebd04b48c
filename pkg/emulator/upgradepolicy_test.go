package emulator_test

import (
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// A pool upgrade replaces nodes within the pool's upgrade_policy, as the SDK documents it
// (api/k8s/v1 CreatePoolRequestUpgradePolicy: max_unavailable "nodes that can be upgrading at the
// same time", max_surge "the pool will scale up to reach size+max_surge before downscaling") and as
// the real API did in the Terraform recording pool-version-explicit (policy {1,0}, size 1: the old
// node alone in deleting, no replacement beside it). The test steps a fake clock one second at a
// time and lists the pool's nodes like Terraform's pool read (ListNodes pool_id, all pages).
func TestPoolUpgradeFollowsUpgradePolicy(t *testing.T) {
	u := func(v uint32) *uint32 { return &v }
	for _, tc := range []struct {
		name               string
		unavailable, surge uint32
		maxTotal, minReady int // bounds at every observation for a pool of size 2
		wantPeak           int // the most nodes seen at once
	}{
		{"delete first without surge", 1, 0, 2, 1, 2},
		{"surge first without unavailability", 0, 1, 3, 2, 3},
		{"both", 1, 1, 3, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clocktesting.NewFakeClock(t0)
			env := emulatortest.Start(t, emulator.Options{Clock: clk, Dwell: emulator.DemoDwell})
			api := k8s.NewAPI(env.Client)
			c, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "up", Version: "1.35.9", Cni: k8s.CNICilium, Type: "kapsule",
				Pools: []*k8s.CreateClusterRequestPoolConfig{{Name: "p", NodeType: "PRO2-XXS", Size: 2,
					UpgradePolicy: &k8s.CreateClusterRequestPoolConfigUpgradePolicy{MaxUnavailable: u(tc.unavailable), MaxSurge: u(tc.surge)}}}})
			if err != nil {
				t.Fatal(err)
			}
			advanceAll(t, env)
			if _, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: c.ID, Version: "1.36.5"}); err != nil {
				t.Fatal(err)
			}
			advanceAll(t, env)
			pools, err := api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID}, scw.WithAllPages())
			if err != nil || len(pools.Pools) != 1 {
				t.Fatalf("pools: %v %v", pools, err)
			}
			p := pools.Pools[0]
			before := nodeIDs(t, api, c.ID, p.ID)
			if _, err := api.UpgradePool(&k8s.UpgradePoolRequest{PoolID: p.ID, Version: "1.36.5"}); err != nil {
				t.Fatal(err)
			}
			peak := 0
			for i := 0; ; i++ {
				if i > 300 {
					t.Fatal("pool upgrade did not finish in 300 s of emulated time")
				}
				nodes, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, PoolID: &p.ID}, scw.WithAllPages())
				if err != nil {
					t.Fatal(err)
				}
				ready := 0
				for _, n := range nodes.Nodes {
					if n.Status == k8s.NodeStatusReady {
						ready++
					}
				}
				peak = max(peak, len(nodes.Nodes))
				if len(nodes.Nodes) > tc.maxTotal || ready < tc.minReady {
					t.Fatalf("at +%ds: %d nodes, %d ready; policy {%d,%d} allows at most %d nodes and needs %d ready",
						i, len(nodes.Nodes), ready, tc.unavailable, tc.surge, tc.maxTotal, tc.minReady)
				}
				got, err := api.GetPool(&k8s.GetPoolRequest{PoolID: p.ID})
				if err != nil {
					t.Fatal(err)
				}
				if got.Status == k8s.PoolStatusReady {
					break
				}
				clk.Step(time.Second)
			}
			if peak != tc.wantPeak {
				t.Fatalf("peak node count %d, want %d", peak, tc.wantPeak)
			}
			after := nodeIDs(t, api, c.ID, p.ID)
			if len(after) != 2 {
				t.Fatalf("nodes after upgrade: %d", len(after))
			}
			for id := range after {
				if before[id] {
					t.Fatalf("node %s was not replaced", id)
				}
			}
		})
	}
}

func nodeIDs(t *testing.T, api *k8s.API, clusterID, poolID string) map[string]bool {
	t.Helper()
	nodes, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: clusterID, PoolID: &poolID}, scw.WithAllPages())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range nodes.Nodes {
		out[n.ID] = true
	}
	return out
}
