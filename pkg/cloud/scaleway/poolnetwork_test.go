package scaleway

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// A pool created with its own Private Network keeps it (sent as private_network_id, read back by
// Observe); a pool created without one is on the cluster's.
func TestPoolPrivateNetworkOnTheEmulator(t *testing.T) {
	emu := emulator.MustNew(emulator.Options{Dwell: emulator.TestDwell, Logf: t.Logf})
	hs := httptest.NewServer(emu.Handler())
	t.Cleanup(hs.Close)
	t.Setenv("SCW_CONFIG_PATH", filepath.Join(t.TempDir(), "none.yaml"))
	t.Setenv("SCW_ACCESS_KEY", "SCWPOOLNETWORKTEST00")
	t.Setenv("SCW_SECRET_KEY", "44444444-0000-4000-8000-000000000000")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", emulator.DefaultProjectID)
	t.Setenv("SCW_DEFAULT_REGION", "fr-par")
	const clusterPN, poolPN = "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b", "6c2f8a1b-4d3e-4f60-9bac-1d2e3f4a5b6c"
	res, err := emu.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "net", Version: "1.35.3", PrivateNetworkID: clusterPN}}})
	if err != nil {
		t.Skipf("seed: %v", err)
	}
	p, err := New(WithAPIURL(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Clusters[0].ID
	for name, pn := range map[string]string{"own": poolPN, "default": ""} {
		if _, err := p.CreatePool(t.Context(), "fr-par", id, cloud.Pool{Name: name, NodeType: "pro2_s", Zone: "fr-par-1", Size: 1, PrivateNetworkID: pn}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	snap, err := p.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulator.DefaultProjectID})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, pl := range snap.Clusters[0].Pools {
		got[pl.Name] = pl.PrivateNetworkID
	}
	if got["own"] != poolPN || got["default"] != clusterPN {
		t.Errorf("pool networks = %v, want own on %s, default on the cluster's %s", got, poolPN, clusterPN)
	}
}
