package scaleway

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

func ptr[T any](v T) *T { return &v }

func TestCreateClusterMapsEveryField(t *testing.T) {
	s := newCannedServer(t, map[string]reply{"POST " + base + "/clusters": {body: clusterJSON}})
	c := cloud.Cluster{
		Name: "prod-par", Type: "kapsule", Version: "1.35.3", CNI: "cilium", Description: "d", Tags: []string{"managed-by=reconciler"},
		PrivateNetworkID: "0f9e0000-0000-4000-8000-00000000a001",
		AutoUpgrade:      cloud.AutoUpgrade{Enabled: true, Day: "sunday", StartHour: 4},
		Autoscaler:       cloud.Autoscaler{ScaleDownDelayAfterAdd: "5m", Expander: "least_waste", ScaleDownUtilizationThreshold: 0.6, LogLevel: 3, SkipNodesWithLocalStorage: true},
		OpenIDConnect:    cloud.OpenIDConnect{IssuerURL: "https://id", ClientID: "k8s", GroupsClaim: []string{"g"}},
		FeatureGates:     []string{"HPAScaleToZero"}, AdmissionPlugins: []string{"AlwaysPullImages"}, APIServerCertSANs: []string{"k.example.com"},
		PodCIDR: "100.64.0.0/15", ServiceCIDR: "10.32.0.0/20", ServiceDNSIP: "10.32.0.10",
		Pools: []cloud.Pool{{
			Name: "default", NodeType: "PRO2-XXS", Zone: "fr-par-2", Size: 2, Autoscaling: true, MinSize: 1, MaxSize: 5,
			Autohealing: true, Tags: []string{"t"}, Labels: map[string]string{"role": "web"},
			Taints:        []cloud.Taint{{Key: "k", Value: "v", Effect: "NoSchedule"}},
			StartupTaints: []cloud.Taint{{Key: "s", Value: "1", Effect: "NoExecute"}},
			KubeletArgs:   map[string]string{"maxPods": "110"}, ContainerRuntime: "containerd", RootVolumeType: "sbs_15k",
			RootVolumeSizeGB: 50, PublicIPDisabled: true, PlacementGroupID: "pg", SecurityGroupID: "sg",
			UpgradePolicy: cloud.UpgradePolicy{MaxSurge: 1, MaxUnavailable: 0}, MaxTerminationGracePeriod: 15 * time.Minute,
		}, {Name: "minimal", NodeType: "DEV1-M", Size: 1}},
	}
	got, err := s.provider(t).CreateCluster(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: testProject}, c)
	if err != nil {
		t.Fatalf("CreateCluster: %v", err)
	}
	if got.ID != clusterID || got.Name != "prod-par" {
		t.Errorf("CreateCluster returned %q %q", got.ID, got.Name)
	}
	reqs := s.requests(false)
	if len(reqs) != 1 || reqs[0].String() != "POST "+base+"/clusters" {
		t.Fatalf("requests = %v, want one POST /clusters", reqs)
	}
	want := jsonBody(t, `{
	 "project_id":"`+testProject+`","type":"kapsule","name":"prod-par","description":"d","tags":["managed-by=reconciler"],
	 "version":"1.35.3","cni":"cilium",
	 "pools":[
	  {"name":"default","node_type":"PRO2-XXS","placement_group_id":"pg","autoscaling":true,"size":2,"min_size":1,"max_size":5,
	   "container_runtime":"containerd","autohealing":true,"tags":["t"],"kubelet_args":{"maxPods":"110"},
	   "upgrade_policy":{"max_unavailable":0,"max_surge":1},"zone":"fr-par-2","root_volume_type":"sbs_15k",
	   "root_volume_size":50000000000,"public_ip_disabled":true,"security_group_id":"sg","labels":{"role":"web"},
	   "taints":[{"key":"k","value":"v","effect":"NoSchedule"}],"startup_taints":[{"key":"s","value":"1","effect":"NoExecute"}],
	   "private_network_id":null,"max_termination_grace_period":"900.000000000s","user_data":null},
	  {"name":"minimal","node_type":"DEV1-M","placement_group_id":null,"autoscaling":false,"size":1,"min_size":null,"max_size":null,
	   "container_runtime":"unknown_runtime","autohealing":false,"tags":null,"kubelet_args":null,"upgrade_policy":null,"zone":"",
	   "root_volume_type":"default_volume_type","root_volume_size":null,"public_ip_disabled":false,"security_group_id":null,
	   "labels":null,"taints":[],"startup_taints":[],"private_network_id":null,"max_termination_grace_period":null,"user_data":null}],
	 "autoscaler_config":{"scale_down_disabled":false,"scale_down_delay_after_add":"5m","estimator":"unknown_estimator",
	   "expander":"least_waste","ignore_daemonsets_utilization":false,"balance_similar_node_groups":false,
	   "expendable_pods_priority_cutoff":0,"scale_down_unneeded_time":null,"scale_down_utilization_threshold":0.6,
	   "max_graceful_termination_sec":0,"skip_nodes_with_local_storage":true,"log_level":3},
	 "auto_upgrade":{"enable":true,"maintenance_window":{"start_hour":4,"day":"sunday"}},
	 "feature_gates":["HPAScaleToZero"],"admission_plugins":["AlwaysPullImages"],
	 "open_id_connect_config":{"issuer_url":"https://id","client_id":"k8s","username_claim":null,"username_prefix":null,
	   "groups_claim":["g"],"groups_prefix":null,"required_claim":null},
	 "apiserver_cert_sans":["k.example.com"],"private_network_id":"0f9e0000-0000-4000-8000-00000000a001",
	 "pod_cidr":"100.64.0.0/15","service_cidr":"10.32.0.0/20","service_dns_ip":"10.32.0.10"}`)
	if diff := cmp.Diff(want, jsonBody(t, reqs[0].Body)); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
}

func TestCreateClusterRejectsBadNetworkInput(t *testing.T) {
	s := newCannedServer(t, nil)
	p := s.provider(t)
	for _, c := range []cloud.Cluster{{Name: "a", PodCIDR: "10.0.0.0"}, {Name: "b", ServiceCIDR: "x/33"}, {Name: "c", ServiceDNSIP: "10.32.0"}} {
		_, err := p.CreateCluster(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: testProject}, c)
		if !cloud.IsTerminal(err) {
			t.Errorf("CreateCluster(%+v) err = %v, want terminal", c, err)
		}
	}
	if n := len(s.requests(false)); n != 0 {
		t.Errorf("%d requests sent for invalid input, want 0", n)
	}
}

// TestMethodsSendTheDocumentedRequests checks path, query and body of every mutation (docs/scaleway-k8s-api.md §1.6).
func TestMethodsSendTheDocumentedRequests(t *testing.T) {
	const pid, nid = poolID, "n1"
	cases := []struct {
		name       string
		call       func(context.Context, *Provider) error
		req        string // METHOD path?query
		body       string // "" = no body
		replyBody  string
		checkReply func(*testing.T, any)
	}{
		{"UpdateClusterOnlyTags", func(ctx context.Context, p *Provider) error {
			_, err := p.UpdateCluster(ctx, "fr-par", clusterID, cloud.ClusterUpdate{Tags: &[]string{"a"}})
			return err
		}, "PATCH " + base + "/clusters/" + clusterID, `{"tags":["a"]}`, clusterJSON, nil},
		{"UpdateClusterClearsWithEmptyList", func(ctx context.Context, p *Provider) error {
			_, err := p.UpdateCluster(ctx, "fr-par", clusterID, cloud.ClusterUpdate{FeatureGates: &[]string{}, Description: ptr("")})
			return err
		}, "PATCH " + base + "/clusters/" + clusterID, `{"description":"","feature_gates":[]}`, clusterJSON, nil},
		{"UpdateClusterAutoUpgradeAndOIDC", func(ctx context.Context, p *Provider) error {
			_, err := p.UpdateCluster(ctx, "fr-par", clusterID, cloud.ClusterUpdate{
				AutoUpgrade:   &cloud.AutoUpgrade{Enabled: true, StartHour: 2},
				OpenIDConnect: &cloud.OpenIDConnect{IssuerURL: "https://id", ClientID: "c"},
			})
			return err
		}, "PATCH " + base + "/clusters/" + clusterID,
			`{"auto_upgrade":{"enable":true,"maintenance_window":{"start_hour":2,"day":"any"}},"open_id_connect_config":{"issuer_url":"https://id","client_id":"c","username_claim":"","username_prefix":"","groups_claim":[],"groups_prefix":"","required_claim":[]}}`,
			clusterJSON, nil},
		{"UpgradeCluster", func(ctx context.Context, p *Provider) error {
			return p.UpgradeCluster(ctx, "fr-par", clusterID, "1.35.3", true)
		}, "POST " + base + "/clusters/" + clusterID + "/upgrade", `{"version":"1.35.3","upgrade_pools":true}`, clusterJSON, nil},
		{"SetClusterType", func(ctx context.Context, p *Provider) error {
			return p.SetClusterType(ctx, "fr-par", clusterID, "kapsule-dedicated-4")
		}, "POST " + base + "/clusters/" + clusterID + "/set-type", `{"type":"kapsule-dedicated-4"}`, clusterJSON, nil},
		{"DeleteCluster", func(ctx context.Context, p *Provider) error {
			return p.DeleteCluster(ctx, "fr-par", clusterID)
		}, "DELETE " + base + "/clusters/" + clusterID + "?with_additional_resources=false", "", clusterJSON, nil},
		{"CreatePool", func(ctx context.Context, p *Provider) error {
			_, err := p.CreatePool(ctx, "fr-par", clusterID, cloud.Pool{Name: "p", NodeType: "PRO2-XXS", Size: 1, RootVolumeSizeGB: 20})
			return err
		}, "POST " + base + "/clusters/" + clusterID + "/pools",
			`{"name":"p","node_type":"PRO2-XXS","autoscaling":false,"size":1,"container_runtime":"unknown_runtime","autohealing":false,"tags":null,"kubelet_args":null,"zone":"","root_volume_type":"default_volume_type","root_volume_size":20000000000,"public_ip_disabled":false,"labels":null,"taints":[],"startup_taints":[],"user_data":null}`,
			poolJSON, nil},
		{"UpdatePoolOnlySize", func(ctx context.Context, p *Provider) error {
			_, err := p.UpdatePool(ctx, "fr-par", pid, cloud.PoolUpdate{Size: ptr(3)})
			return err
		}, "PATCH " + base + "/pools/" + pid, `{"size":3}`, poolJSON, nil},
		{"UpdatePoolPolicyAndGrace", func(ctx context.Context, p *Provider) error {
			_, err := p.UpdatePool(ctx, "fr-par", pid, cloud.PoolUpdate{
				UpgradePolicy: &cloud.UpgradePolicy{MaxSurge: 2}, MaxTerminationGracePeriod: ptr(600),
				KubeletArgs: &map[string]string{"maxPods": "64"}, Autoscaling: ptr(false),
			})
			return err
		}, "PATCH " + base + "/pools/" + pid,
			`{"autoscaling":false,"kubelet_args":{"maxPods":"64"},"upgrade_policy":{"max_unavailable":0,"max_surge":2},"max_termination_grace_period":"600.000000000s"}`,
			poolJSON, nil},
		{"SetPoolLabels", func(ctx context.Context, p *Provider) error {
			return p.SetPoolLabels(ctx, "fr-par", pid, nil)
		}, "PUT " + base + "/pools/" + pid + "/set-labels", `{"labels":{}}`, poolJSON, nil},
		{"SetPoolTaints", func(ctx context.Context, p *Provider) error {
			return p.SetPoolTaints(ctx, "fr-par", pid, []cloud.Taint{{Key: "k", Value: "v", Effect: "NoSchedule"}})
		}, "PUT " + base + "/pools/" + pid + "/set-taints", `{"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]}`, poolJSON, nil},
		{"SetPoolStartupTaintsClear", func(ctx context.Context, p *Provider) error {
			return p.SetPoolStartupTaints(ctx, "fr-par", pid, nil)
		}, "PUT " + base + "/pools/" + pid + "/set-startup-taints", `{"startup_taints":[]}`, poolJSON, nil},
		{"UpgradePool", func(ctx context.Context, p *Provider) error {
			return p.UpgradePool(ctx, "fr-par", pid, "1.35.3")
		}, "POST " + base + "/pools/" + pid + "/upgrade", `{"version":"1.35.3"}`, poolJSON, nil},
		{"DeletePool", func(ctx context.Context, p *Provider) error {
			return p.DeletePool(ctx, "fr-par", pid)
		}, "DELETE " + base + "/pools/" + pid, "", poolJSON, nil},
		{"ReplaceNode", func(ctx context.Context, p *Provider) error {
			return p.ReplaceNode(ctx, "fr-par", nid)
		}, "POST " + base + "/nodes/" + nid + "/replace", `{}`, `{"id":"n1","pool_id":"` + pid + `","status":"deleting"}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method, path, _ := strings.Cut(strings.SplitN(tc.req, "?", 2)[0], " ")
			s := newCannedServer(t, map[string]reply{method + " " + path: {body: tc.replyBody}})
			if err := tc.call(t.Context(), s.provider(t)); err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := s.requests(false)
			if len(reqs) != 1 {
				t.Fatalf("requests = %v, want exactly one", reqs)
			}
			if reqs[0].String() != tc.req {
				t.Errorf("request = %s, want %s", reqs[0], tc.req)
			}
			if tc.body == "" {
				if reqs[0].Body != "" {
					t.Errorf("body = %s, want none", reqs[0].Body)
				}
				return
			}
			if diff := cmp.Diff(jsonBody(t, tc.body), jsonBody(t, reqs[0].Body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadReturnsMapResponses(t *testing.T) {
	kubeconfig := "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://x:6443\n"
	s := newCannedServer(t, map[string]reply{
		"GET " + base + "/clusters/" + clusterID + "/kubeconfig":      {body: mustJSON(map[string]any{"name": "kubeconfig", "content_type": "application/octet-stream", "content": []byte(kubeconfig)})},
		"GET " + base + "/clusters/" + clusterID + "/available-types": {body: `{"total_count":2,"cluster_types":[{"name":"kapsule-dedicated-8","commitment_delay":"2592000s"},{"name":"kapsule-dedicated-16"}]}`},
		"PATCH " + base + "/pools/" + poolID:                          {body: poolJSON},
	})
	p := s.provider(t)
	kc, err := p.Kubeconfig(t.Context(), "fr-par", clusterID)
	if err != nil || string(kc) != kubeconfig {
		t.Errorf("Kubeconfig = %q, %v; want the raw YAML", kc, err)
	}
	types, err := p.ListClusterAvailableTypes(t.Context(), "fr-par", clusterID)
	if diff := cmp.Diff([]string{"kapsule-dedicated-8", "kapsule-dedicated-16"}, types); err != nil || diff != "" {
		t.Errorf("ListClusterAvailableTypes: %v (-want +got):\n%s", err, diff)
	}
	pool, err := p.UpdatePool(t.Context(), "fr-par", poolID, cloud.PoolUpdate{Autohealing: ptr(true)})
	if err != nil {
		t.Fatalf("UpdatePool: %v", err)
	}
	if diff := cmp.Diff(wantCluster().Pools[0], *pool, cmpIgnoreNodes); diff != "" {
		t.Errorf("UpdatePool response (-want +got):\n%s", diff)
	}
	if got := s.requests(false); got[0].Query != "endpoint=unknown_endpoint" {
		t.Errorf("kubeconfig query = %q", got[0].Query)
	}
}

var cmpIgnoreNodes = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Nodes" }, cmp.Ignore())
