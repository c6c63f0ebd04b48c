package emulator_test

import (
	"errors"
	"net/http"
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// The call sequences of the official clients, replayed through the unmodified SDK: Terraform's
// scaleway_k8s_cluster, scaleway_k8s_pool and data sources (terraform-provider-scaleway
// internal/services/k8s/cluster.go, pool.go, cluster_data_source.go, waiters.go) and the scw CLI
// (scaleway-cli internal/namespaces/k8s/v1/custom_cluster.go, custom_pool.go, custom_node.go).

// is404 is Terraform's httperrors.Is404 and the CLI's delete-wait test: a ResponseError with status
// 404 or a ResourceNotFoundError.
func is404(err error) bool {
	var re *scw.ResponseError
	var nf *scw.ResourceNotFoundError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound || errors.As(err, &nf)
}

func TestTerraformClusterResourceFlow(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	f := false
	// Create: an autoscaler_config object of nulls and explicit zeros, no pools, no auto_upgrade
	c, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "tf", Version: "1.35.9", Cni: k8s.CNICilium, Tags: []string{"terraform-test"},
		AutoscalerConfig: &k8s.CreateClusterRequestAutoscalerConfig{ScaleDownDisabled: &f, SkipNodesWithLocalStorage: &f}})
	if err != nil {
		t.Fatal(err)
	}
	got := waitClusterPool(t, api, c.ID)
	if got.Status != k8s.ClusterStatusPoolRequired {
		t.Fatalf("pool-less Kapsule after WaitForClusterPool: %s", got.Status)
	}
	// Read: WaitForCluster, then the kubeconfig (exactly one cluster and one user with a token)
	if _, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout}); err != nil {
		t.Fatal(err)
	}
	kc, err := api.GetClusterKubeConfig(&k8s.GetClusterKubeConfigRequest{ClusterID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if server, err := kc.GetServer(); err != nil || server != c.ClusterURL {
		t.Fatalf("kubeconfig server %q %v", server, err)
	}
	if tok, err := kc.GetToken(); err != nil || tok == "" {
		t.Fatalf("kubeconfig token %q %v", tok, err)
	}
	// Update: always a PATCH with the three objects, often all nulls; auto_upgrade without a window
	yes := true
	up, err := api.UpdateCluster(&k8s.UpdateClusterRequest{ClusterID: c.ID, AutoscalerConfig: &k8s.UpdateClusterRequestAutoscalerConfig{},
		AutoUpgrade: &k8s.UpdateClusterRequestAutoUpgrade{Enable: &yes}, OpenIDConnectConfig: &k8s.UpdateClusterRequestOpenIDConnectConfig{}})
	if err != nil {
		t.Fatal(err)
	}
	if up.AutoscalerConfig.ScaleDownDelayAfterAdd != "10m" || up.AutoscalerConfig.SkipNodesWithLocalStorage || !up.AutoUpgrade.Enabled ||
		up.AutoUpgrade.MaintenanceWindow == nil || up.AutoUpgrade.MaintenanceWindow.Day != k8s.MaintenanceWindowDayOfTheWeekAny {
		t.Fatalf("null fields must keep their value: %+v %+v", up.AutoscalerConfig, up.AutoUpgrade)
	}
	if _, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout}); err != nil {
		t.Fatal(err)
	}
	// version change: upgrade with pools, WaitForCluster, then WaitForClusterPool
	u, err := api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: c.ID, Version: "1.36.5", UpgradePools: true})
	if err != nil || u.Version != "1.36.5" || u.Status != k8s.ClusterStatusUpdating {
		t.Fatalf("upgrade: %+v %v", u, err)
	}
	if _, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout}); err != nil {
		t.Fatal(err)
	}
	waitClusterPool(t, api, c.ID)
	// data source by name: one ListClusters call (first page), exact match on the client side
	if _, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "tf-other", Version: "1.35.9", Cni: k8s.CNICilium}); err != nil {
		t.Fatal(err)
	}
	l, err := api.ListClusters(&k8s.ListClustersRequest{Name: scw.StringPtr("tf"), ProjectID: scw.StringPtr(emulatortest.ProjectID)})
	if err != nil || l.TotalCount != 2 || len(l.Clusters) != 2 {
		t.Fatalf("name is a substring filter: %+v %v", l, err)
	}
	// Delete: DELETE with_additional_resources, then WaitForCluster until 404
	if _, err := api.DeleteCluster(&k8s.DeleteClusterRequest{ClusterID: c.ID, WithAdditionalResources: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout}); !is404(err) {
		t.Fatalf("after delete: %v, want a 404 Terraform treats as gone", err)
	}
	if _, err := api.DeleteCluster(&k8s.DeleteClusterRequest{ClusterID: c.ID}); !is404(err) {
		t.Fatalf("second delete: %v, want 404 (ignored by Terraform)", err)
	}
}

func TestTerraformPoolResourceFlow(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "tfpool", "1.35.9", 0)
	cl, err := api.GetCluster(&k8s.GetClusterRequest{ClusterID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Status == k8s.ClusterStatusCreating {
		waitClusterPool(t, api, c.ID)
	}
	// Create: min_size defaults to 1 and max_size to size; node_type as the user wrote it
	one, two := uint32(1), uint32(2)
	p, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "tf-pool", NodeType: "PRO2_XXS", Size: 2, MinSize: &one, MaxSize: &two,
		ContainerRuntime: k8s.RuntimeContainerd, Tags: []string{"terraform-test"}})
	if err != nil {
		t.Fatal(err)
	}
	ready := waitPool(t, api, p.ID)
	if ready.Status != k8s.PoolStatusReady { // Terraform fails the apply on any other final status
		t.Fatalf("pool after WaitForPool: %s", ready.Status)
	}
	if _, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout}); err != nil {
		t.Fatal(err)
	}
	// Read: GetPool, then the pool's nodes with all pages
	nodes, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID, PoolID: &p.ID}, scw.WithAllPages())
	if err != nil || len(nodes.Nodes) != 2 || nodes.TotalCount != 2 {
		t.Fatalf("nodes: %+v %v", nodes, err)
	}
	// Update: always a PATCH, at least upgrade_policy {null, null}; nothing moves
	pp, err := api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: p.ID, UpgradePolicy: &k8s.UpdatePoolRequestUpgradePolicy{}})
	if err != nil || pp.Status != k8s.PoolStatusReady || pp.Size != 2 || pp.UpgradePolicy.MaxUnavailable != 1 {
		t.Fatalf("no-op patch: %+v %v", pp, err)
	}
	if _, err := api.SetPoolLabels(&k8s.SetPoolLabelsRequest{PoolID: p.ID, Labels: map[string]string{"foo": "bar"}}); err != nil {
		t.Fatal(err)
	}
	// Delete: DELETE (404 ok), then WaitForPool with SDK defaults until 404
	if d, err := api.DeletePool(&k8s.DeletePoolRequest{PoolID: p.ID}); err != nil || d.Status != k8s.PoolStatusDeleting {
		t.Fatalf("delete: %+v %v", d, err)
	}
	if _, err := api.WaitForPool(&k8s.WaitForPoolRequest{PoolID: p.ID, RetryInterval: &fast, Timeout: &timeout}); !is404(err) {
		t.Fatalf("after delete: %v", err)
	}
	if got := waitClusterPool(t, api, c.ID); got.Status != k8s.ClusterStatusPoolRequired {
		t.Fatalf("cluster without its last pool: %s", got.Status)
	}
}

func TestCLIWaitForPoolsAndNodeReboot(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	// scw k8s cluster create pools.0.* ... then scw k8s cluster wait wait-for-pools=true
	c := createKapsule(t, api, "cli", "1.35.9", 2)
	if got, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout}); err != nil || got.Status != k8s.ClusterStatusReady {
		t.Fatalf("cluster wait: %+v %v", got, err)
	}
	pools, err := api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID}, scw.WithAllPages())
	if err != nil || len(pools.Pools) != 2 {
		t.Fatalf("pools: %+v %v", pools, err)
	}
	for _, p := range pools.Pools {
		if got := waitPool(t, api, p.ID); got.Status != k8s.PoolStatusReady {
			t.Fatalf("pool %s: %s", p.Name, got.Status)
		}
	}
	// scw k8s node reboot --wait
	nodes, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID}, scw.WithAllPages())
	if err != nil || len(nodes.Nodes) != 4 {
		t.Fatalf("nodes: %+v %v", nodes, err)
	}
	n, err := api.RebootNode(&k8s.RebootNodeRequest{NodeID: nodes.Nodes[0].ID})
	if err != nil || n.Status != k8s.NodeStatusRebooting {
		t.Fatalf("reboot: %+v %v", n, err)
	}
	got, err := api.WaitForNode(&k8s.WaitForNodeRequest{NodeID: n.ID, RetryInterval: &fast, Timeout: &timeout})
	if err != nil || got.Status != k8s.NodeStatusReady {
		t.Fatalf("node after reboot: %+v %v", got, err)
	}
	// scw k8s pool delete --wait: a 404 while waiting means deleted
	if _, err := api.DeletePool(&k8s.DeletePoolRequest{PoolID: pools.Pools[1].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitForPool(&k8s.WaitForPoolRequest{PoolID: pools.Pools[1].ID, RetryInterval: &fast, Timeout: &timeout}); !is404(err) {
		t.Fatalf("pool delete wait: %v", err)
	}
	// scw k8s cluster delete with-additional-resources=true --wait: the private network goes too
	if _, err := api.DeleteCluster(&k8s.DeleteClusterRequest{ClusterID: c.ID, WithAdditionalResources: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitForCluster(&k8s.WaitForClusterRequest{ClusterID: c.ID, RetryInterval: &fast, Timeout: &timeout}); !is404(err) {
		t.Fatalf("cluster delete wait: %v", err)
	}
	req, err := http.NewRequest(http.MethodGet, env.URL+"/vpc/v2/regions/fr-par/private-networks/"+*c.PrivateNetworkID, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", emulatortest.SecretKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("private network after delete with additional resources: %d", res.StatusCode)
	}
}
