package emulator_test

import (
	"errors"
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	vpc "github.com/scaleway/scaleway-sdk-go/api/vpc/v2"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

const unknownPN = "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f"

func invalidPN(t *testing.T, what string, err error) {
	t.Helper()
	var ia *scw.InvalidArgumentsError
	if !errors.As(err, &ia) || ia.Details[0].ArgumentName != "private_network_id" {
		t.Fatalf("%s: %v (%T), want invalid_arguments on private_network_id", what, err, err)
	}
}

func TestUnknownPrivateNetworkRefused(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{CheckPrivateNetworks: true})
	api := k8s.NewAPI(env.Client)
	version := currentMinorPatch(t, api, 0)
	create := func(name, pn string) (*k8s.Cluster, error) {
		return api.CreateCluster(&k8s.CreateClusterRequest{Name: name, Version: version, Cni: k8s.CNICilium, Type: "kapsule", PrivateNetworkID: &pn})
	}
	_, err := create("ghost", unknownPN)
	invalidPN(t, "unknown private network", err)

	// created through the VPC API, as the CLI does
	pn, err := vpc.NewAPI(env.Client).CreatePrivateNetwork(&vpc.CreatePrivateNetworkRequest{Name: "pn-real"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := create("real", pn.ID)
	if err != nil || c.PrivateNetworkID == nil || *c.PrivateNetworkID != pn.ID {
		t.Fatalf("create with an existing private network: %v %v", c, err)
	}
	// seeded through the admin API (over HTTP)
	res, err := emulator.NewAdminClient(env.URL).Seed(emulator.SeedRequest{PrivateNetworks: []emulator.SeedPrivateNetwork{
		{ID: unknownPN}, {Region: "nl-ams"}}})
	if err != nil || len(res.PrivateNetworks) != 2 || res.PrivateNetworks[0] != unknownPN {
		t.Fatalf("seed: %+v %v", res, err)
	}
	if _, err := create("seeded", unknownPN); err != nil {
		t.Fatalf("create with a seeded private network: %v", err)
	}
	if _, err := create("other-region", res.PrivateNetworks[1]); err == nil {
		t.Fatal("a private network of nl-ams accepted in fr-par")
	}
	// a pool's own private network is checked too
	waitClusterPool(t, api, c.ID)
	ghost := "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
	_, err = api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "p", NodeType: "PRO2-XXS", Size: 1, PrivateNetworkID: &ghost})
	invalidPN(t, "pool with an unknown private network", err)
}

func TestRequirePrivateNetworkImpliesItExists(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{RequirePrivateNetwork: true})
	api := k8s.NewAPI(env.Client)
	version := currentMinorPatch(t, api, 0)
	_, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "none", Version: version, Cni: k8s.CNICilium, Type: "kapsule"})
	invalidPN(t, "no private network", err)
	pn := unknownPN
	_, err = api.CreateCluster(&k8s.CreateClusterRequest{Name: "ghost", Version: version, Cni: k8s.CNICilium, Type: "kapsule", PrivateNetworkID: &pn})
	invalidPN(t, "unknown private network", err)

	// by default an unknown id is taken as is (examples/ and the demo name networks the emulator never saw)
	lax := emulatortest.Start(t, emulator.Options{})
	c, err := k8s.NewAPI(lax.Client).CreateCluster(&k8s.CreateClusterRequest{Name: "lax", Version: version, Cni: k8s.CNICilium, Type: "kapsule", PrivateNetworkID: &pn})
	if err != nil || *c.PrivateNetworkID != pn {
		t.Fatalf("default options: %v %v", c, err)
	}
}
