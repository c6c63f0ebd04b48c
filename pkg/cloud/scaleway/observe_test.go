package scaleway

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func tsp(s string) *time.Time { t := ts(s); return &t }

// wantCluster is clusterJSON/poolJSON/pool2JSON/nodesJSON in the cloud model.
func wantCluster() cloud.Cluster {
	return cloud.Cluster{
		ID: clusterID, Name: "prod-par", Region: "fr-par", ProjectID: testProject, Type: "kapsule", Status: "ready",
		Version: "1.34.6", CNI: "calico", Description: "terraform basic test cluster",
		PrivateNetworkID: "0f9e0000-0000-4000-8000-00000000a001", Tags: []string{"managed-by=reconciler"},
		AutoUpgrade: cloud.AutoUpgrade{Enabled: true, Day: "monday", StartHour: 3},
		Autoscaler: cloud.Autoscaler{ScaleDownDelayAfterAdd: "10m", Estimator: "binpacking", Expander: "random",
			ExpendablePodsPriorityCutoff: -10, ScaleDownUnneededTime: "10m", ScaleDownUtilizationThreshold: 0.5,
			MaxGracefulTerminationSec: 600, SkipNodesWithLocalStorage: true, LogLevel: 2},
		OpenIDConnect: cloud.OpenIDConnect{IssuerURL: "https://id.example.com", ClientID: "k8s", UsernameClaim: "email",
			GroupsClaim: []string{"groups"}, GroupsPrefix: "oidc:", RequiredClaim: []string{}},
		FeatureGates: []string{}, AdmissionPlugins: []string{"AlwaysPullImages"}, APIServerCertSANs: []string{},
		PodCIDR: "100.64.0.0/15", ServiceCIDR: "10.32.0.0/20", ServiceDNSIP: "10.32.0.10", UpgradeAvailable: true,
		CommitmentEndsAt: tsp("2026-07-03T09:14:08.593947Z"),
		CreatedAt:        ts("2026-07-03T09:14:08.593938Z"), UpdatedAt: ts("2026-07-03T09:20:01.5Z"),
		Pools: []cloud.Pool{{
			ID: poolID, ClusterID: clusterID, Name: "default", Status: "ready", Version: "1.34.6", NodeType: "pro2_xxs",
			Zone: "fr-par-2", Size: 2, Autoscaling: true, MinSize: 1, MaxSize: 4, Autohealing: true, Tags: []string{"pool"},
			Labels: map[string]string{"role": "web"}, Taints: []cloud.Taint{{Key: "dedicated", Value: "web", Effect: "NoSchedule"}},
			StartupTaints: []cloud.Taint{}, KubeletArgs: map[string]string{"maxPods": "110"}, ContainerRuntime: "containerd",
			RootVolumeType: "sbs_5k", RootVolumeSizeGB: 20, SecurityGroupID: "04020000-0000-4000-8000-000000000000",
			UpgradePolicy: cloud.UpgradePolicy{MaxSurge: 2, MaxUnavailable: 1}, MaxTerminationGracePeriod: 15 * time.Minute,
			CreatedAt: ts("2026-07-03T09:15:00Z"),
			Nodes: []cloud.Node{
				{ID: "n1", PoolID: poolID, Name: "scw-prod-par-default-n1", ProviderID: "scaleway://instance/fr-par-2/i1", Status: "ready",
					CreatedAt: ts("2026-07-03T09:16:00Z"), UpdatedAt: ts("2026-07-03T09:17:00Z")},
				{ID: "n2", PoolID: poolID, Name: "scw-prod-par-default-n2", ProviderID: "scaleway://instance/fr-par-2/i2", Status: "creating",
					CreatedAt: ts("2026-07-03T09:20:00Z"), UpdatedAt: ts("2026-07-03T09:20:00Z")},
			},
		}, {
			ID: pool2ID, ClusterID: clusterID, Name: "big", Status: "warning", Version: "1.33.10", NodeType: "dev1_m",
			Zone: "fr-par-1", Size: 1, MinSize: 1, MaxSize: 1, Tags: []string{}, Labels: map[string]string{},
			Taints: []cloud.Taint{}, StartupTaints: []cloud.Taint{{Key: "init", Value: "1", Effect: "NoExecute"}},
			KubeletArgs: map[string]string{}, ContainerRuntime: "containerd", RootVolumeType: "l_ssd", RootVolumeSizeGB: 40,
			PublicIPDisabled: true, PlacementGroupID: "9a9a0000-0000-4000-8000-000000000000",
			SecurityGroupID: "04020000-0000-4000-8000-000000000000", UpgradePolicy: cloud.UpgradePolicy{MaxUnavailable: 1},
			MaxTerminationGracePeriod: time.Hour, ErrorMessage: "node n3 is not ready", CreatedAt: ts("2026-07-03T09:16:00Z"),
			Nodes: []cloud.Node{{ID: "n3", PoolID: pool2ID, Name: "scw-prod-par-big-n3", Status: "not_ready", ErrorMessage: "kubelet down",
				CreatedAt: ts("2026-07-03T09:16:30Z"), UpdatedAt: ts("2026-07-03T09:17:30Z")}},
		}},
	}
}

func TestObserveMapsThePayloadsAndListsNodesOncePerCluster(t *testing.T) {
	s := newCannedServer(t, map[string]reply{
		"GET " + base + "/clusters":                         {body: listClusters(clusterJSON)},
		"GET " + base + "/clusters/" + clusterID + "/pools": {body: listPools(poolJSON, pool2JSON)},
		"GET " + base + "/clusters/" + clusterID + "/nodes": {body: nodesJSON},
		"GET " + base + "/versions":                         {body: versionsJSON},
	})
	p := s.provider(t)
	ref := cloud.Ref{Region: "fr-par", ProjectID: testProject}
	snap, err := p.Observe(t.Context(), ref)
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	want := &cloud.Snapshot{
		Ref:      ref,
		Clusters: []cloud.Cluster{wantCluster()},
		Versions: []cloud.Version{
			{Name: "1.35.3", AvailableCNIs: []string{"cilium", "calico"}, AvailableKubeletArgs: map[string]string{"maxPods": "uint16"},
				ReleasedAt: tsp("2026-01-19T00:00:00Z"), DeprecatedAt: tsp("2027-01-19T00:00:00Z"), EndOfLifeAt: tsp("2027-03-19T00:00:00Z")},
			{Name: "1.34.6", AvailableCNIs: []string{"cilium"}, AvailableKubeletArgs: map[string]string{}, ReleasedAt: tsp("2025-09-29T00:00:00Z")},
		},
	}
	live := want.Versions[1] // 1.34's entry: the live minor's facts
	want.Clusters[0].LiveVersion = &live
	if diff := cmp.Diff(want, snap); diff != "" {
		t.Errorf("Observe mismatch (-want +got):\n%s", diff)
	}
	var got []string
	for _, r := range s.requests(false) {
		got = append(got, r.String())
	}
	wantReqs := []string{
		"GET " + base + "/clusters?order_by=created_at_asc&page=1&project_id=" + testProject + "&status=unknown",
		"GET " + base + "/clusters/" + clusterID + "/pools?order_by=created_at_asc&page=1&status=unknown",
		"GET " + base + "/clusters/" + clusterID + "/nodes?order_by=created_at_asc&page=1&status=unknown",
		"GET " + base + "/versions",
	}
	if diff := cmp.Diff(wantReqs, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, r := range s.requests(true) {
		if r.Header.Get("X-Auth-Token") != testSecretKey {
			t.Errorf("%s: X-Auth-Token not the secret key", r)
		}
	}
}

func TestGetClusterAndPaging(t *testing.T) {
	// Three pages of nodes: WithAllPages must follow total_count.
	s := newCannedServer(t, map[string]reply{
		"GET " + base + "/clusters/" + clusterID:            {body: clusterJSON},
		"GET " + base + "/clusters/" + clusterID + "/pools": {body: listPools(poolJSON)},
	})
	s.dyn = func(r *http.Request) (reply, bool) {
		if r.URL.Path != base+"/clusters/"+clusterID+"/nodes" {
			return reply{}, false
		}
		page := r.URL.Query().Get("page")
		node := func(id string) string {
			return `{"id":"` + id + `","pool_id":"` + poolID + `","status":"ready","created_at":"2026-07-03T09:16:00Z"}`
		}
		switch page {
		case "1":
			return reply{body: `{"total_count":5,"nodes":[` + node("a") + `,` + node("b") + `]}`}, true
		case "2":
			return reply{body: `{"total_count":5,"nodes":[` + node("c") + `,` + node("d") + `]}`}, true
		default:
			return reply{body: `{"total_count":5,"nodes":[` + node("e") + `]}`}, true
		}
	}
	c, err := s.provider(t).GetCluster(t.Context(), "fr-par", clusterID)
	if err != nil {
		t.Fatalf("GetCluster: %v", err)
	}
	var ids []string
	for _, n := range c.Pools[0].Nodes {
		ids = append(ids, n.ID)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, ids); diff != "" {
		t.Errorf("nodes over three pages (-want +got):\n%s", diff)
	}
	if c.Name != "prod-par" || c.Pools[0].RootVolumeSizeGB != 20 {
		t.Errorf("cluster %q pool root %d GB", c.Name, c.Pools[0].RootVolumeSizeGB)
	}
}
