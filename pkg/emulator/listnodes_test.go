package emulator_test

import (
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// ListNodes offers order_by version_asc|version_desc (SDK ListNodesRequestOrderBy): nodes sort on
// the Kubernetes version they run, not on their creation order, and the status filter takes the
// NodeStatus values only.
func TestListNodesOrderByVersionAndStatusFilter(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "mixed", "1.35.9", 1)
	waitClusterPool(t, api, c.ID)
	if _, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: c.ID, Version: "1.36.5"}); err != nil {
		t.Fatal(err)
	}
	waitClusterPool(t, api, c.ID)
	newer, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "newer", NodeType: "PRO2-XXS", Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitClusterPool(t, api, c.ID)
	// a node of the old pool replaced now: created after the newer pool's node, still on 1.35.9
	pools, err := api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID, Name: scw.StringPtr("p0")})
	if err != nil || len(pools.Pools) != 1 {
		t.Fatalf("old pool: %v %v", pools, err)
	}
	older := pools.Pools[0]
	oldNodes, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, PoolID: &older.ID})
	if err != nil || len(oldNodes.Nodes) != 2 {
		t.Fatalf("old nodes: %v %v", oldNodes, err)
	}
	for _, n := range oldNodes.Nodes {
		if _, err := api.ReplaceNode(&k8s.ReplaceNodeRequest{NodeID: n.ID}); err != nil {
			t.Fatal(err)
		}
		waitClusterPool(t, api, c.ID)
	}

	list := func(order k8s.ListNodesRequestOrderBy) []string {
		t.Helper()
		res, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, OrderBy: order}, scw.WithAllPages())
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, n := range res.Nodes {
			out = append(out, n.PoolID)
		}
		return out
	}
	if got := list(k8s.ListNodesRequestOrderByCreatedAtAsc); got[0] != newer.ID {
		t.Fatalf("created_at_asc: the newer pool's node should come first (the old pool's nodes were replaced after it): %v", got)
	}
	if got := list(k8s.ListNodesRequestOrderByVersionAsc); got[0] != older.ID || got[1] != older.ID || got[2] != newer.ID {
		t.Fatalf("version_asc: %v, want the 1.35.9 nodes (pool %s) before the 1.36.5 node (pool %s)", got, older.ID, newer.ID)
	}
	if got := list(k8s.ListNodesRequestOrderByVersionDesc); got[0] != newer.ID {
		t.Fatalf("version_desc: %v, want the 1.36.5 node first", got)
	}

	ready, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, Status: k8s.NodeStatusReady}, scw.WithAllPages())
	if err != nil || len(ready.Nodes) != 3 || ready.TotalCount != 3 {
		t.Fatalf("status=ready: %v %v", ready, err)
	}
	if _, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, Status: "sleeping"}); !isInvalid(err, "status") {
		t.Fatalf("unknown node status: %v, want invalid_arguments on status", err)
	}
}
