package emulator_test

import (
	"errors"
	"strings"
	"testing"

	instance "github.com/scaleway/scaleway-sdk-go/api/instance/v1"
	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

func TestNodeTypesServedAsTheInstanceAPI(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := instance.NewAPI(env.Client)
	want := env.Server.NodeTypes()["fr-par-2"]

	// the SDK pages through the legacy lister with X-Total-Count (50 per page)
	all, err := api.ListServersTypes(&instance.ListServersTypesRequest{Zone: scw.ZoneFrPar2}, scw.WithAllPages())
	if err != nil {
		t.Fatalf("ListServersTypes: %v", err)
	}
	if len(all.Servers) != len(want) || int(all.TotalCount) != len(want) {
		t.Fatalf("ListServersTypes: %d servers, total %d; catalog has %d", len(all.Servers), all.TotalCount, len(want))
	}
	small := uint32(5)
	first, err := api.ListServersTypes(&instance.ListServersTypesRequest{Zone: scw.ZoneFrPar2, PerPage: &small})
	if err != nil || len(first.Servers) != 5 || int(first.TotalCount) != len(want) {
		t.Fatalf("one page of 5: %d servers, total %d, err %v", len(first.Servers), first.TotalCount, err)
	}
	paged, err := api.ListServersTypes(&instance.ListServersTypesRequest{Zone: scw.ZoneFrPar2, PerPage: &small}, scw.WithAllPages())
	if err != nil || len(paged.Servers) != len(want) {
		t.Fatalf("all pages of 5: %d servers, err %v", len(paged.Servers), err)
	}
	pro2s := all.Servers["PRO2-S"]
	if pro2s == nil || pro2s.Ncpus != 8 || pro2s.RAM != 32<<30 || pro2s.Arch != instance.ArchX86_64 || pro2s.Network == nil {
		t.Fatalf("PRO2-S = %+v", pro2s)
	}

	av, err := api.GetServerTypesAvailability(&instance.GetServerTypesAvailabilityRequest{Zone: scw.ZoneFrPar2}, scw.WithAllPages())
	if err != nil {
		t.Fatalf("GetServerTypesAvailability: %v", err)
	}
	if len(av.Servers) != len(want) {
		t.Fatalf("availability: %d servers, want %d", len(av.Servers), len(want))
	}
	if got := av.Servers["GP1-L"]; got == nil || got.Availability != instance.ServerTypesAvailabilityShortage {
		t.Fatalf("GP1-L in fr-par-2 = %+v, want shortage", got)
	}
	if got := av.Servers["PRO2-S"]; got == nil || got.Availability != instance.ServerTypesAvailabilityAvailable {
		t.Fatalf("PRO2-S in fr-par-2 = %+v, want available", got)
	}
	// another zone, another stock
	av1, err := api.GetServerTypesAvailability(&instance.GetServerTypesAvailabilityRequest{Zone: scw.ZoneFrPar1})
	if err != nil || av1.Servers["GP1-L"] == nil || av1.Servers["GP1-L"].Availability != instance.ServerTypesAvailabilityAvailable {
		t.Fatalf("GP1-L in fr-par-1: %+v, %v", av1.Servers["GP1-L"], err)
	}
}

// invalidNodeType asserts err is the API's invalid_arguments on node_type and returns its help.
func invalidNodeType(t *testing.T, err error) string {
	t.Helper()
	var ia *scw.InvalidArgumentsError
	if !errors.As(err, &ia) || len(ia.Details) != 1 || ia.Details[0].ArgumentName != "node_type" || ia.Details[0].Reason != "constraint" {
		t.Fatalf("error %v (%T), want invalid_arguments on node_type", err, err)
	}
	if !strings.HasPrefix(ia.Details[0].HelpMessage, "this node type is not available in this zone") {
		t.Fatalf("help %q", ia.Details[0].HelpMessage)
	}
	return ia.Details[0].HelpMessage
}

func TestPoolNodeTypeCheckedAgainstTheZoneCatalog(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "types", currentMinorPatch(t, api, 0), 1)
	waitClusterPool(t, api, c.ID)

	create := func(name, nodeType string, zone scw.Zone, size uint32) (*k8s.Pool, error) {
		return api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: name, NodeType: nodeType, Zone: zone, Size: size})
	}
	_, err := create("typo", "PRO2-SS", scw.ZoneFrPar1, 1)
	invalidNodeType(t, err)
	_, err = create("missing", "GP1-XS", "it-mil-1", 1) // wrong region anyway: zone error first
	if err == nil {
		t.Fatal("GP1-XS in it-mil-1 accepted")
	}
	help := invalidNodeType(t, func() error { _, err := create("gone", "GP1-L", scw.ZoneFrPar2, 1); return err }())
	if !strings.Contains(help, "out of stock") {
		t.Fatalf("out of stock help %q", help)
	}
	help = invalidNodeType(t, func() error { _, err := create("tiny", "DEV1-S", scw.ZoneFrPar1, 1); return err }())
	if !strings.Contains(help, "memory") {
		t.Fatalf("too small help %q", help)
	}
	// inline pools of a new cluster are checked too
	_, err = api.CreateCluster(&k8s.CreateClusterRequest{Name: "inline", Version: currentMinorPatch(t, api, 0), Cni: k8s.CNICilium, Type: "kapsule",
		Pools: []*k8s.CreateClusterRequestPoolConfig{{Name: "p", NodeType: "PRO2-SS", Size: 1}}})
	invalidNodeType(t, err)

	// the same type in stock elsewhere works; when it runs out, growing it is refused, shrinking is not
	p, err := create("batch", "GP1-L", scw.ZoneFrPar1, 1)
	if err != nil {
		t.Fatalf("GP1-L in fr-par-1: %v", err)
	}
	waitPool(t, api, p.ID)
	if err := emulator.NewAdminClient(env.URL).SetNodeTypeAvailability("fr-par-1", "gp1_l", emulator.AvailabilityShortage); err != nil { // over HTTP
		t.Fatal(err)
	}
	two, zero := uint32(2), uint32(0)
	_, err = api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: p.ID, Size: &two})
	invalidNodeType(t, err)
	if _, err := api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: p.ID, Size: &zero}); err != nil {
		t.Fatalf("shrinking an out-of-stock pool: %v", err)
	}
}

func TestProjectNodeQuota(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{Quotas: emulator.Quotas{NodesPerProject: 3}})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "q", currentMinorPatch(t, api, 0), 1) // 2 nodes
	waitClusterPool(t, api, c.ID)
	_, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "more", NodeType: "PRO2-S", Size: 2})
	var qe *scw.QuotasExceededError
	if !errors.As(err, &qe) || len(qe.Details) != 1 || qe.Details[0].Resource != "instances" || qe.Details[0].Quota != 3 || qe.Details[0].Current != 2 {
		t.Fatalf("CreatePool over the project quota: %v (%T)", err, err)
	}
	p, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "one", NodeType: "PRO2-S", Size: 1})
	if err != nil {
		t.Fatalf("CreatePool within quota: %v", err)
	}
	two := uint32(2)
	if _, err := api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: p.ID, Size: &two}); !errors.As(err, &qe) {
		t.Fatalf("UpdatePool over the project quota: %v", err)
	}
	// a second cluster of the same project counts against the same quota
	_, err = api.CreateCluster(&k8s.CreateClusterRequest{Name: "q2", Version: currentMinorPatch(t, api, 0), Cni: k8s.CNICilium, Type: "kapsule",
		Pools: []*k8s.CreateClusterRequestPoolConfig{{Name: "p", NodeType: "PRO2-XXS", Size: 1}}})
	if !errors.As(err, &qe) {
		t.Fatalf("CreateCluster over the project quota: %v", err)
	}
}

// currentMinorPatch is the i-th listed version (newest first), whatever the catalog holds today.
func currentMinorPatch(t *testing.T, api *k8s.API, i int) string {
	t.Helper()
	vs, err := api.ListVersions(&k8s.ListVersionsRequest{})
	if err != nil || len(vs.Versions) <= i {
		t.Fatalf("ListVersions: %v (%d versions)", err, len(vs.Versions))
	}
	return vs.Versions[i].Name
}
