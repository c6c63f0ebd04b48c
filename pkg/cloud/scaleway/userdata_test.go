package scaleway

import (
	"io"
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// A pool's user data reaches the API on both create paths (inline in create-cluster, and
// create-pool): the emulator, read back through the SDK's own user-data calls, holds every key.
func TestPoolUserDataIsSentOnCreate(t *testing.T) {
	e, p, _, _ := emulatorFleet(t, 0)
	ref := cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID}
	c, err := p.CreateCluster(t.Context(), ref, cloud.Cluster{Name: "ud", Type: "kapsule", Version: "1.35.9", CNI: "cilium",
		Tags: []string{cloud.ManagedByTag}, PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Pools: []cloud.Pool{{Name: "inline", NodeType: "PRO2-S", Size: 1, UserData: map[string]string{"cloud-init": "#cloud-config\nruncmd: [true]\n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreatePool(t.Context(), "fr-par", c.ID, cloud.Pool{Name: "added", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 1,
		UserData: map[string]string{"a": "one", "b": "two"}}); err != nil {
		t.Fatal(err)
	}
	api := k8s.NewAPI(e.Client)
	pools, err := api.ListPools(&k8s.ListPoolsRequest{Region: "fr-par", ClusterID: c.ID}, scw.WithAllPages())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{"inline": {"cloud-init": "#cloud-config\nruncmd: [true]\n"}, "added": {"a": "one", "b": "two"}}
	for _, pool := range pools.Pools {
		for k, v := range want[pool.Name] {
			f, err := api.GetUserData(&k8s.GetUserDataRequest{Region: "fr-par", PoolID: pool.ID, Key: k})
			if err != nil {
				t.Fatalf("pool %s key %s: %v", pool.Name, k, err)
			}
			b, err := io.ReadAll(f.Content)
			if err != nil || string(b) != v {
				t.Errorf("pool %s key %s = %q (%v), want %q", pool.Name, k, b, err, v)
			}
		}
		delete(want, pool.Name)
	}
	if len(want) != 0 {
		t.Errorf("pools not found: %v", want)
	}
}
