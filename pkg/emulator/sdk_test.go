package emulator_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

var (
	fast    = 2 * time.Millisecond
	timeout = 10 * time.Second
)

func waitClusterPool(t *testing.T, api *k8s.API, id string) *k8s.Cluster {
	t.Helper()
	c, err := api.WaitForClusterPool(&k8s.WaitForClusterRequest{ClusterID: id, RetryInterval: &fast, Timeout: &timeout})
	if err != nil {
		t.Fatalf("WaitForClusterPool: %v", err)
	}
	return c
}

func waitPool(t *testing.T, api *k8s.API, id string) *k8s.Pool {
	t.Helper()
	p, err := api.WaitForPool(&k8s.WaitForPoolRequest{PoolID: id, RetryInterval: &fast, Timeout: &timeout})
	if err != nil {
		t.Fatalf("WaitForPool: %v", err)
	}
	return p
}

func createKapsule(t *testing.T, api *k8s.API, name, version string, pools int) *k8s.Cluster {
	t.Helper()
	req := &k8s.CreateClusterRequest{Name: name, Version: version, Cni: k8s.CNICilium, Type: "kapsule"}
	for i := range pools {
		req.Pools = append(req.Pools, &k8s.CreateClusterRequestPoolConfig{Name: fmt.Sprintf("p%d", i), NodeType: "PRO2-XXS", Size: 2})
	}
	c, err := api.CreateCluster(req)
	if err != nil {
		t.Fatalf("CreateCluster: %v", err)
	}
	return c
}

func TestCreateKapsuleWithPoolsBecomesReady(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "prod", "1.35.9", 1)
	if c.Status != k8s.ClusterStatusCreating {
		t.Fatalf("create response status %s, want creating", c.Status)
	}
	if c.AutoscalerConfig == nil || c.AutoUpgrade == nil || c.AutoUpgrade.MaintenanceWindow == nil || c.OpenIDConnectConfig == nil || c.CreatedAt == nil {
		t.Fatalf("null objects in cluster: %+v", c)
	}
	if c.ClusterURL != "https://"+c.ID+".api.k8s.fr-par.scw.cloud:6443" || c.DNSWildcard != "*."+c.ID+".nodes.k8s.fr-par.scw.cloud" {
		t.Fatalf("urls: %s %s", c.ClusterURL, c.DNSWildcard)
	}
	if c.Srn == "" {
		t.Fatalf("srn not filled: /metadata not served?")
	}
	got := waitClusterPool(t, api, c.ID)
	if got.Status != k8s.ClusterStatusReady {
		t.Fatalf("status %s", got.Status)
	}
	pools, err := api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID}, scw.WithAllPages())
	if err != nil || len(pools.Pools) != 1 {
		t.Fatalf("pools: %v %v", pools, err)
	}
	p := pools.Pools[0]
	if p.Status != k8s.PoolStatusReady || p.NodeType != "pro2_xxs" || p.Zone != "fr-par-1" || p.MinSize != 2 || p.MaxSize != 2 ||
		p.RootVolumeType != "sbs_5k" || p.RootVolumeSize == nil || *p.RootVolumeSize != 20000000000 || p.SecurityGroupID == "" ||
		p.UpgradePolicy == nil || p.UpgradePolicy.MaxUnavailable != 1 || p.ContainerRuntime != k8s.RuntimeContainerd || p.Version != "1.35.9" {
		t.Fatalf("pool defaults: %+v", p)
	}
	nodes, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, PoolID: &p.ID}, scw.WithAllPages())
	if err != nil || len(nodes.Nodes) != 2 {
		t.Fatalf("nodes: %v %v", nodes, err)
	}
	for _, n := range nodes.Nodes {
		if n.Status != k8s.NodeStatusReady || n.ProviderID == "" || !strings.HasPrefix(n.Name, "scw-prod-p0-") || len(n.Name) > 46 || n.Conditions["Ready"] != "True" {
			t.Fatalf("node: %+v", n)
		}
	}
}

func TestKapsuleWithoutPoolsIsPoolRequiredAndKosmosReady(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "empty", "1.35.9", 0)
	if got := waitClusterPool(t, api, c.ID); got.Status != k8s.ClusterStatusPoolRequired {
		t.Fatalf("kapsule without pools: %s", got.Status)
	}
	// the first pool brings it to ready
	p, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "first", NodeType: "DEV1-M", Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.RootVolumeType != "l_ssd" || p.RootVolumeSize == nil || *p.RootVolumeSize != 40000000000 || p.NodeType != "dev1_m" {
		t.Fatalf("dev1 volume defaults: %+v", p)
	}
	waitPool(t, api, p.ID)
	if got := waitClusterPool(t, api, c.ID); got.Status != k8s.ClusterStatusReady {
		t.Fatalf("after first pool: %s", got.Status)
	}

	k, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "edge", Type: "multicloud", Version: "1.35.9", Cni: k8s.CNIKilo})
	if err != nil {
		t.Fatal(err)
	}
	if k.PrivateNetworkID != nil {
		t.Fatalf("multicloud got a private network")
	}
	got, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: k.ID, RetryInterval: &fast, Timeout: &timeout})
	if err != nil || got.Status != k8s.ClusterStatusReady {
		t.Fatalf("kosmos: %v %v", got, err)
	}
}

// advanceAll jumps the emulator an hour ahead so every pending transition fires.
func advanceAll(t *testing.T, env *emulatortest.Env) {
	t.Helper()
	if _, err := env.Admin.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
}

func TestPoolLifecycle(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{Dwell: emulator.DemoDwell})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "c", "1.35.9", 1)
	advanceAll(t, env)
	waitClusterPool(t, api, c.ID)

	p, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "extra", NodeType: "PRO2-S", Size: 1})
	if err != nil || p.Status != k8s.PoolStatusScaling {
		t.Fatalf("create pool: %v %v", p, err)
	}
	if _, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "extra", NodeType: "PRO2-S", Size: 1}); !isInvalid(err, "name") {
		t.Fatalf("duplicate pool name: %v", err)
	}
	advanceAll(t, env)
	waitPool(t, api, p.ID)
	three := uint32(3)
	up, err := api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: p.ID, Size: &three})
	if err != nil || up.Status != k8s.PoolStatusScaling || up.Size != 3 || up.MinSize != 3 || up.MaxSize != 3 {
		t.Fatalf("scale: %+v %v", up, err)
	}
	advanceAll(t, env)
	if got := waitPool(t, api, p.ID); got.Status != k8s.PoolStatusReady {
		t.Fatalf("after scale: %s", got.Status)
	}
	nodes, _ := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, PoolID: &p.ID}, scw.WithAllPages())
	if len(nodes.Nodes) != 3 {
		t.Fatalf("nodes after scale: %d", len(nodes.Nodes))
	}

	// upgrade the cluster without pools, then the pool to the cluster's version
	if _, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: c.ID, Version: "1.36.5"}); err != nil {
		t.Fatal(err)
	}
	advanceAll(t, env)
	waitClusterPool(t, api, c.ID)
	old := map[string]bool{}
	for _, n := range nodes.Nodes {
		old[n.ID] = true
	}
	if _, err := api.UpgradePool(&k8s.UpgradePoolRequest{PoolID: p.ID, Version: "1.37.1"}); !isInvalid(err, "version") {
		t.Fatalf("pool beyond cluster version: %v", err)
	}
	pu, err := api.UpgradePool(&k8s.UpgradePoolRequest{PoolID: p.ID, Version: "1.36.5"})
	if err != nil || pu.Status != k8s.PoolStatusUpgrading || pu.Version != "1.36.5" {
		t.Fatalf("upgrade pool: %+v %v", pu, err)
	}
	if _, err := api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: p.ID, Size: &three}); err != nil {
		t.Fatalf("same-size patch during upgrade: %v", err)
	}
	one := uint32(1)
	var ts *scw.TransientStateError
	if _, err := api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: p.ID, Size: &one}); !errors.As(err, &ts) {
		t.Fatalf("resize during upgrade: %v", err)
	}
	advanceAll(t, env)
	if got := waitPool(t, api, p.ID); got.Status != k8s.PoolStatusReady {
		t.Fatalf("after upgrade: %s", got.Status)
	}
	nodes, _ = api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, PoolID: &p.ID}, scw.WithAllPages())
	if len(nodes.Nodes) != 3 {
		t.Fatalf("nodes after upgrade: %d", len(nodes.Nodes))
	}
	for _, n := range nodes.Nodes {
		if old[n.ID] {
			t.Fatalf("node %s survived the upgrade (nodes must be replaced)", n.ID)
		}
	}

	d, err := api.DeletePool(&k8s.DeletePoolRequest{PoolID: p.ID})
	if err != nil || d.Status != k8s.PoolStatusDeleting {
		t.Fatalf("delete pool: %v %v", d, err)
	}
	advanceAll(t, env)
	_, err = api.WaitForPool(&k8s.WaitForPoolRequest{PoolID: p.ID, RetryInterval: &fast, Timeout: &timeout})
	var nf *scw.ResourceNotFoundError
	if !errors.As(err, &nf) || nf.Resource != "pool" {
		t.Fatalf("deleted pool: %v", err)
	}
}

func isInvalid(err error, arg string) bool {
	var ia *scw.InvalidArgumentsError
	if !errors.As(err, &ia) {
		return false
	}
	for _, d := range ia.Details {
		if d.ArgumentName == arg {
			return true
		}
	}
	return false
}

func TestDeleteClusterThen404(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "doomed", "1.35.9", 1)
	// delete is accepted while creating
	d, err := api.DeleteCluster(&k8s.DeleteClusterRequest{ClusterID: c.ID, WithAdditionalResources: true})
	if err != nil || d.Status != k8s.ClusterStatusDeleting {
		t.Fatalf("delete: %v %v", d, err)
	}
	_, err = api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout})
	var nf *scw.ResourceNotFoundError
	if !errors.As(err, &nf) || nf.Resource != "cluster" || nf.ResourceID != c.ID {
		t.Fatalf("after delete: %v", err)
	}
	nodes, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID})
	if !errors.As(err, &nf) {
		t.Fatalf("nodes of deleted cluster: %v %v", nodes, err)
	}
}

func TestUpgradeRules(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{Clock: clocktesting.NewFakeClock(t0), Dwell: emulator.DemoDwell})
	api := k8s.NewAPI(env.Client)
	res, err := env.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{
		Name: "old", Version: "1.35.4", Pools: []emulator.SeedPool{{Name: "default", Size: 2}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Clusters[0].ID
	av, err := api.ListClusterAvailableVersions(&k8s.ListClusterAvailableVersionsRequest{ClusterID: id})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range av.Versions {
		names = append(names, v.Name)
	}
	if fmt.Sprint(names) != "[1.36.5 1.35.9 1.35.8 1.35.7 1.35.6 1.35.5]" {
		t.Fatalf("available versions from 1.35.4: %v", names)
	}
	c, _ := api.GetCluster(&k8s.GetClusterRequest{ClusterID: id})
	if !c.UpgradeAvailable {
		t.Fatalf("upgrade_available false on 1.35.4")
	}
	if _, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: id, Version: "1.37.1"}); !isInvalid(err, "version") {
		t.Fatalf("minor skip: %v", err)
	}
	if _, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: id, Version: "1.35.2"}); !isInvalid(err, "version") {
		t.Fatalf("downgrade: %v", err)
	}
	up, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: id, Version: "1.36.5", UpgradePools: true})
	if err != nil || up.Status != k8s.ClusterStatusUpdating || up.Version != "1.36.5" {
		t.Fatalf("next minor: %+v %v", up, err)
	}
	var ts *scw.TransientStateError
	name := "renamed"
	if _, err := api.UpdateCluster(&k8s.UpdateClusterRequest{ClusterID: id, Name: &name}); !errors.As(err, &ts) || ts.CurrentState != "updating" {
		t.Fatalf("patch during updating: %v", err)
	}
	if _, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: id, Version: "1.36.5"}); !errors.As(err, &ts) {
		t.Fatalf("upgrade during updating: %v", err)
	}
	advanceAll(t, env) // one jump fires the whole chain: control plane, then each pool's node batches
	waitClusterPool(t, api, id)
	pools, _ := api.ListPools(&k8s.ListPoolsRequest{ClusterID: id}, scw.WithAllPages())
	if pools.Pools[0].Version != "1.36.5" || pools.Pools[0].Status != k8s.PoolStatusReady {
		t.Fatalf("cascade: %+v", pools.Pools[0])
	}
	nodes, _ := api.ListNodes(&k8s.ListNodesRequest{ClusterID: id}, scw.WithAllPages())
	for _, n := range nodes.Nodes {
		for _, oldID := range res.Clusters[0].Pools[0].NodeIDs {
			if n.ID == oldID {
				t.Fatalf("old node survived cascade")
			}
		}
	}
	if len(nodes.Nodes) != 2 {
		t.Fatalf("nodes after cascade: %d", len(nodes.Nodes))
	}
}

func TestCreateRejectsUnlistedVersionAndTypes(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{Clock: clocktesting.NewFakeClock(t0)})
	api := k8s.NewAPI(env.Client)
	if _, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "x", Version: "1.35.4", Cni: k8s.CNICilium}); !isInvalid(err, "version") {
		t.Fatalf("unlisted version: %v", err)
	}
	var ia *scw.InvalidArgumentsError
	_, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "x", Version: "1.34.6", Cni: k8s.CNICilium})
	if !errors.As(err, &ia) || ia.Details[0].ArgumentName != "version" || !strings.Contains(ia.Details[0].HelpMessage, "deprecated since 2026-09-29") {
		t.Fatalf("deprecated version: %v", err)
	}
	vs, err := api.ListVersions(&k8s.ListVersionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs.Versions {
		names = append(names, v.Name)
		if v.EndOfLifeAt == nil || v.DeprecatedAt == nil || v.ReleasedAt == nil {
			t.Fatalf("dates missing on %s", v.Name)
		}
	}
	if fmt.Sprint(names) != "[1.37.1 1.36.5 1.35.9]" {
		t.Fatalf("versions: %v", names)
	}
	v, err := api.GetVersion(&k8s.GetVersionRequest{VersionName: "1.34.6"})
	if err != nil || v.EndOfLifeAt.Format("2006-01-02") != "2026-11-29" {
		t.Fatalf("get version: %v %v", v, err)
	}
	ct, err := api.ListClusterTypes(&k8s.ListClusterTypesRequest{}, scw.WithAllPages())
	if err != nil || ct.TotalCount != 8 || len(ct.ClusterTypes) != 8 {
		t.Fatalf("cluster types: %v %v", ct, err)
	}
}

func TestPagingAllPages(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	var seed emulator.SeedRequest
	for i := range 250 {
		seed.Clusters = append(seed.Clusters, emulator.SeedCluster{Name: fmt.Sprintf("c-%03d", i), Version: "1.35.9"})
	}
	if _, err := env.Admin.Seed(seed); err != nil {
		t.Fatal(err)
	}
	all, err := api.ListClusters(&k8s.ListClustersRequest{}, scw.WithAllPages())
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Clusters) != 250 || all.TotalCount != 250 {
		t.Fatalf("all pages: %d clusters, total %d", len(all.Clusters), all.TotalCount)
	}
	seen := map[string]bool{}
	for _, c := range all.Clusters {
		seen[c.ID] = true
	}
	if len(seen) != 250 {
		t.Fatalf("duplicates across pages: %d distinct", len(seen))
	}
	page := int32(1)
	first, _ := api.ListClusters(&k8s.ListClustersRequest{Page: &page})
	if len(first.Clusters) != 20 || first.TotalCount != 250 {
		t.Fatalf("default page: %d of %d", len(first.Clusters), first.TotalCount)
	}
	far := int32(99)
	empty, _ := api.ListClusters(&k8s.ListClustersRequest{Page: &far})
	if len(empty.Clusters) != 0 || empty.TotalCount != 250 {
		t.Fatalf("out of range page: %d of %d", len(empty.Clusters), empty.TotalCount)
	}
	name := "c-24"
	f, _ := api.ListClusters(&k8s.ListClustersRequest{Name: &name}, scw.WithAllPages())
	if f.TotalCount != 10 {
		t.Fatalf("name substring filter: %d", f.TotalCount)
	}
	desc, _ := api.ListClusters(&k8s.ListClustersRequest{OrderBy: k8s.ListClustersRequestOrderByNameDesc, Page: &page})
	if desc.Clusters[0].Name != "c-249" {
		t.Fatalf("order_by name_desc: %s", desc.Clusters[0].Name)
	}
}

func TestAuthAndQuotas(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{Quotas: emulator.Quotas{Clusters: 1, PoolsPerCluster: 1}})
	res, err := http.Get(env.URL + "/k8s/v1/regions/fr-par/clusters")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", res.StatusCode)
	}
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "one", "1.35.9", 1)
	var qe *scw.QuotasExceededError
	if _, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "two", Version: "1.35.9", Cni: k8s.CNICilium}); !errors.As(err, &qe) {
		t.Fatalf("cluster quota: %v", err)
	}
	waitClusterPool(t, api, c.ID)
	if _, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "second", NodeType: "PRO2-XXS", Size: 1}); !errors.As(err, &qe) {
		t.Fatalf("pool quota: %v", err)
	}
}
