package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// With a fake clock, every intermediate state of §5 is observable and timed by the dwell settings.
func TestStateMachineWithFakeClock(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	env := emulatortest.Start(t, emulator.Options{Clock: clk, Dwell: emulator.DemoDwell})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "fc", "1.35.9", 1)
	get := func() *k8s.Cluster {
		got, err := api.GetCluster(&k8s.GetClusterRequest{ClusterID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	clk.Step(emulator.DemoDwell.ClusterCreate - time.Millisecond)
	if s := get().Status; s != k8s.ClusterStatusCreating {
		t.Fatalf("before dwell: %s", s)
	}
	clk.Step(time.Millisecond)
	if s := get().Status; s != k8s.ClusterStatusReady {
		t.Fatalf("after dwell: %s", s)
	}
	pools, _ := api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID})
	if pools.Pools[0].Status != k8s.PoolStatusScaling {
		t.Fatalf("pool should still be scaling when the control plane is ready: %s", pools.Pools[0].Status)
	}
	clk.Step(emulator.DemoDwell.NodeCreate)
	pools, _ = api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID})
	if pools.Pools[0].Status != k8s.PoolStatusReady {
		t.Fatalf("pool after node creation: %s", pools.Pools[0].Status)
	}
	nodes, _ := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID})
	n := nodes.Nodes[0]
	if !n.CreatedAt.Equal(t0) || !n.UpdatedAt.Equal(t0.Add(emulator.DemoDwell.NodeCreate)) {
		t.Fatalf("node timestamps are stamped at their transition: created %v updated %v", n.CreatedAt, n.UpdatedAt)
	}

	// ReplaceNode: the old node goes deleting, a new node id with a fresh created_at appears
	clk.Step(time.Hour)
	replacedAt := clk.Now()
	old, err := api.ReplaceNode(&k8s.ReplaceNodeRequest{NodeID: n.ID})
	if err != nil || old.Status != k8s.NodeStatusDeleting {
		t.Fatalf("replace: %v %v", old, err)
	}
	p, _ := api.GetPool(&k8s.GetPoolRequest{PoolID: n.PoolID})
	if p.Status != k8s.PoolStatusScaling || p.Size != 2 {
		t.Fatalf("pool during replace: %s size %d", p.Status, p.Size)
	}
	nodes, _ = api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID}, scw.WithAllPages())
	if len(nodes.Nodes) != 3 {
		t.Fatalf("during replace want 3 nodes (one deleting), got %d", len(nodes.Nodes))
	}
	clk.Step(emulator.DemoDwell.NodeCreate)
	if _, err := api.GetNode(&k8s.GetNodeRequest{NodeID: n.ID}); !isNotFound(err) {
		t.Fatalf("old node after replace: %v", err)
	}
	nodes, _ = api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID}, scw.WithAllPages())
	fresh := 0
	for _, x := range nodes.Nodes {
		if x.CreatedAt.Equal(replacedAt) {
			fresh++
		}
		if x.Status != k8s.NodeStatusReady {
			t.Fatalf("node %s not ready: %s", x.ID, x.Status)
		}
	}
	if len(nodes.Nodes) != 2 || fresh != 1 {
		t.Fatalf("after replace: %d nodes, %d fresh", len(nodes.Nodes), fresh)
	}
	if p, _ := api.GetPool(&k8s.GetPoolRequest{PoolID: n.PoolID}); p.Status != k8s.PoolStatusReady {
		t.Fatalf("pool after replace: %s", p.Status)
	}

	// reboot keeps the id; delete shrinks the pool
	r, err := api.RebootNode(&k8s.RebootNodeRequest{NodeID: nodes.Nodes[0].ID})
	if err != nil || r.Status != k8s.NodeStatusRebooting {
		t.Fatalf("reboot: %v %v", r, err)
	}
	var ts *scw.TransientStateError
	if _, err := api.ReplaceNode(&k8s.ReplaceNodeRequest{NodeID: r.ID}); !errors.As(err, &ts) {
		t.Fatalf("replace while rebooting: %v", err)
	}
	clk.Step(emulator.DemoDwell.NodeReboot)
	if got, _ := api.GetNode(&k8s.GetNodeRequest{NodeID: r.ID}); got.Status != k8s.NodeStatusReady {
		t.Fatalf("after reboot: %s", got.Status)
	}
	if _, err := api.DeleteNode(&k8s.DeleteNodeRequest{NodeID: r.ID}); err != nil {
		t.Fatal(err)
	}
	if p, _ := api.GetPool(&k8s.GetPoolRequest{PoolID: n.PoolID}); p.Size != 1 || p.MinSize != 1 || p.MaxSize != 1 {
		t.Fatalf("delete node must shrink the pool: %+v", p)
	}

	// last pool deleted → pool_required
	if _, err := api.DeletePool(&k8s.DeletePoolRequest{PoolID: n.PoolID}); err != nil {
		t.Fatal(err)
	}
	clk.Step(time.Minute)
	if s := get().Status; s != k8s.ClusterStatusPoolRequired {
		t.Fatalf("after last pool deleted: %s", s)
	}
}

func isNotFound(err error) bool {
	var nf *scw.ResourceNotFoundError
	return errors.As(err, &nf)
}

func TestFaultsAndRequestLog(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	if err := env.Admin.FailNext(emulator.FailNext{Method: "GET", Pattern: "/k8s/v1/regions/{region}/clusters", Count: 2, Status: 503}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		_, err := api.ListClusters(&k8s.ListClustersRequest{})
		var re *scw.ResponseError
		if !errors.As(err, &re) || re.StatusCode != 503 {
			t.Fatalf("call %d: want injected 503, got %v", i, err)
		}
	}
	if _, err := api.ListClusters(&k8s.ListClustersRequest{}); err != nil {
		t.Fatalf("third call must pass: %v", err)
	}
	if err := env.Admin.FailNext(emulator.FailNext{Method: "POST", Pattern: "/k8s/v1/regions/*/clusters", Count: 1, Status: 409}); err != nil {
		t.Fatal(err)
	}
	var ts *scw.TransientStateError
	if _, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "x", Version: "1.35.9", Cni: k8s.CNICilium}); !errors.As(err, &ts) {
		t.Fatalf("injected 409: %v", err)
	}

	// seeded random faults: same seed, same outcome sequence
	outcomes := func() []int {
		_ = env.Admin.SetFaults(emulator.Faults{Seed: 42, Rate429: 0.3, Rate503: 0.2})
		var out []int
		for range 40 {
			res, err := http.DefaultClient.Do(authed(t, env.URL+"/k8s/v1/regions/fr-par/versions"))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			out = append(out, res.StatusCode)
		}
		return out
	}
	a, b := outcomes(), outcomes()
	counts := map[int]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("fault sequence not deterministic at %d: %d vs %d", i, a[i], b[i])
		}
		counts[a[i]]++
	}
	if counts[429] == 0 || counts[503] == 0 || counts[200] == 0 {
		t.Fatalf("fault mix %v", counts)
	}
	var slept time.Duration
	_ = env.Admin.ClearFaults()

	log, err := env.Admin.Requests()
	if err != nil {
		t.Fatal(err)
	}
	if got := log.CountOf("GET /k8s/v1/regions/{region}/clusters"); got != 3 {
		t.Fatalf("list clusters count %d (%v)", got, log.Endpoints())
	}
	if got := log.CountOf("GET /k8s/v1/regions/{region}/versions"); got != 80 {
		t.Fatalf("versions count %d", got)
	}
	if got := log.CountOf("POST /k8s/v1/regions/{region}/clusters"); got != 1 {
		t.Fatalf("create count %d", got)
	}
	_ = env.Admin.ResetRequests()
	if log, _ := env.Admin.Requests(); log.Total != 0 {
		t.Fatalf("reset log: %d", log.Total)
	}

	// latency goes through the injected sleeper
	s2 := emulatortest.Start(t, emulator.Options{Sleep: func(d time.Duration) { slept += d }})
	_ = s2.Admin.SetFaults(emulator.Faults{Latency: 250 * time.Millisecond})
	if _, err := k8s.NewAPI(s2.Client).ListVersions(&k8s.ListVersionsRequest{}); err != nil {
		t.Fatal(err)
	}
	if slept != 250*time.Millisecond {
		t.Fatalf("latency slept %v", slept)
	}
}

func authed(t *testing.T, url string) *http.Request {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", emulatortest.SecretKey)
	return req
}

func TestDriftLockedAndAgeViaHTTPAdmin(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	admin := emulator.NewAdminClient(env.URL)
	old := t0.Add(-40 * 24 * time.Hour)
	res, err := admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "s", Version: "1.35.2",
		Pools: []emulator.SeedPool{{Name: "p", Size: 2, NodeCreatedAt: []time.Time{old}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	api := k8s.NewAPI(env.Client)
	cid, pid := res.Clusters[0].ID, res.Clusters[0].Pools[0].ID
	n0 := res.Clusters[0].Pools[0].NodeIDs[0]
	node, _ := api.GetNode(&k8s.GetNodeRequest{NodeID: n0})
	if !node.CreatedAt.Equal(old) {
		t.Fatalf("seeded created_at %v", node.CreatedAt)
	}
	older := old.Add(-24 * time.Hour)
	if err := admin.SetNodeCreatedAt(n0, older); err != nil {
		t.Fatal(err)
	}
	if node, _ = api.GetNode(&k8s.GetNodeRequest{NodeID: n0}); !node.CreatedAt.Equal(older) {
		t.Fatalf("shifted created_at %v", node.CreatedAt)
	}
	if err := admin.PatchPool(pid, map[string]any{"tags": []string{"drift"}, "autohealing": true}); err != nil {
		t.Fatal(err)
	}
	if p, _ := api.GetPool(&k8s.GetPoolRequest{PoolID: pid}); len(p.Tags) != 1 || p.Tags[0] != "drift" || !p.Autohealing {
		t.Fatalf("pool drift: %+v", p)
	}
	if err := admin.PatchCluster(cid, map[string]any{"status": "locked"}); err != nil {
		t.Fatal(err)
	}
	var locked *scw.ResourceLockedError
	desc := "x"
	if _, err := api.UpdateCluster(&k8s.UpdateClusterRequest{ClusterID: cid, Description: &desc}); !errors.As(err, &locked) {
		t.Fatalf("mutation on locked cluster: %v", err)
	}
	if err := admin.PatchCluster(cid, map[string]any{"no_such_field": 1}); err == nil {
		t.Fatalf("unknown drift field accepted")
	}
	if err := admin.PatchNode("nope", map[string]any{"status": "ready"}); !errors.Is(err, emulator.ErrNotFound) {
		t.Fatalf("unknown node: %v", err)
	}
	now, err := admin.Advance(time.Hour)
	if err != nil || now.Before(time.Now().Add(59*time.Minute)) {
		t.Fatalf("advance: %v %v", now, err)
	}
	if err := admin.Reset(); err != nil {
		t.Fatal(err)
	}
	if l, _ := api.ListClusters(&k8s.ListClustersRequest{}); l.TotalCount != 0 {
		t.Fatalf("after reset: %d clusters", l.TotalCount)
	}
}

func TestKubeconfigWellFormed(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "kc", "1.35.9", 0)
	kc, err := api.GetClusterKubeConfig(&k8s.GetClusterKubeConfigRequest{ClusterID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	server, err := kc.GetServer()
	if err != nil || server != c.ClusterURL {
		t.Fatalf("server %q %v", server, err)
	}
	tok, err := kc.GetToken()
	if err != nil || len(tok) < 20 {
		t.Fatalf("token %q %v", tok, err)
	}
	if _, err := kc.GetCertificateAuthorityData(); err != nil {
		t.Fatal(err)
	}
	red := true
	kr, _ := api.GetClusterKubeConfig(&k8s.GetClusterKubeConfigRequest{ClusterID: c.ID, Redacted: &red})
	if tok, _ := kr.GetToken(); tok != "REDACTED_TOKEN" {
		t.Fatalf("redacted token %q", tok)
	}
	if err := api.ResetClusterAdminToken(&k8s.ResetClusterAdminTokenRequest{ClusterID: c.ID}); err != nil {
		t.Fatal(err)
	}
	kc2, _ := api.GetClusterKubeConfig(&k8s.GetClusterKubeConfigRequest{ClusterID: c.ID})
	if tok2, _ := kc2.GetToken(); tok2 == tok {
		t.Fatalf("token not rotated")
	}
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	clk := clocktesting.NewFakeClock(t0)
	env := emulatortest.Start(t, emulator.Options{Clock: clk, Dwell: emulator.DemoDwell, StateFile: file})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "persist", "1.35.9", 1)

	clk.Step(emulator.DemoDwell.ClusterCreate) // the restart happens mid-provisioning
	env2 := emulatortest.Start(t, emulator.Options{Clock: clk, Dwell: emulator.DemoDwell, StateFile: file})
	api2 := k8s.NewAPI(env2.Client)
	got, err := api2.GetCluster(&k8s.GetClusterRequest{ClusterID: c.ID})
	if err != nil || got.Status != k8s.ClusterStatusReady || !got.CreatedAt.Equal(t0) {
		t.Fatalf("after restart: %+v %v", got, err)
	}
	clk.Step(emulator.DemoDwell.NodeCreate)
	pools, _ := api2.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID})
	if len(pools.Pools) != 1 || pools.Pools[0].Status != k8s.PoolStatusReady {
		t.Fatalf("pool after restart: %+v", pools.Pools)
	}
}

func TestKubeNodesMirrored(t *testing.T) {
	cs := fake.NewClientset()
	clk := clocktesting.NewFakeClock(t0)
	env := emulatortest.Start(t, emulator.Options{Clock: clk, Dwell: emulator.DemoDwell, KubeClient: cs})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "kube", "1.35.9", 1)
	ctx := context.Background()
	list := func() []corev1.Node {
		l, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	if n := len(list()); n != 0 {
		t.Fatalf("nodes registered before they are up: %d", n)
	}
	clk.Step(time.Minute)
	if _, err := api.GetCluster(&k8s.GetClusterRequest{ClusterID: c.ID}); err != nil {
		t.Fatal(err)
	}
	nodes, _ := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID})
	kn := list()
	if len(kn) != 2 {
		t.Fatalf("kube nodes: %d", len(kn))
	}
	byName := map[string]corev1.Node{}
	for _, n := range kn {
		byName[n.Name] = n
	}
	for _, n := range nodes.Nodes {
		k, ok := byName[n.Name]
		if !ok || k.Spec.ProviderID != n.ProviderID || k.Labels[emulator.LabelPoolName] != "p0" ||
			k.Labels[emulator.LabelPoolID] != n.PoolID || k.Labels[emulator.LabelNodeID] != n.ID ||
			k.Labels["topology.kubernetes.io/zone"] != "fr-par-1" || !isReady(k) {
			t.Fatalf("kube node for %s: %+v", n.Name, k)
		}
	}
	// replace: old Node goes NotReady then away, the new one appears Ready
	victim := nodes.Nodes[0]
	if _, err := api.ReplaceNode(&k8s.ReplaceNodeRequest{NodeID: victim.ID}); err != nil {
		t.Fatal(err)
	}
	if k, err := cs.CoreV1().Nodes().Get(ctx, victim.Name, metav1.GetOptions{}); err != nil || isReady(*k) {
		t.Fatalf("replaced node should be NotReady while deleting: %v", err)
	}
	clk.Step(time.Minute)
	_, _ = api.GetCluster(&k8s.GetClusterRequest{ClusterID: c.ID})
	kn = list()
	if len(kn) != 2 {
		t.Fatalf("kube nodes after replace: %d", len(kn))
	}
	for _, k := range kn {
		if k.Name == victim.Name || !isReady(k) {
			t.Fatalf("after replace: %s ready=%v", k.Name, isReady(k))
		}
	}
	// labels follow set-labels
	if _, err := api.SetPoolLabels(&k8s.SetPoolLabelsRequest{PoolID: victim.PoolID, Labels: map[string]string{"tier": "web"}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range list() {
		if k.Labels["tier"] != "web" {
			t.Fatalf("label not propagated to %s", k.Name)
		}
	}
	// cluster deletion removes every Node
	if _, err := api.DeleteCluster(&k8s.DeleteClusterRequest{ClusterID: c.ID}); err != nil {
		t.Fatal(err)
	}
	clk.Step(time.Minute)
	_, _ = api.ListClusters(&k8s.ListClustersRequest{})
	if n := len(list()); n != 0 {
		t.Fatalf("kube nodes after cluster deletion: %d", n)
	}
}

func isReady(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func TestACLs(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "acl", "1.35.9", 0)
	var ip scw.IPNet
	if err := ip.UnmarshalJSON([]byte(`"1.2.3.4/32"`)); err != nil {
		t.Fatal(err)
	}
	yes := true
	set, err := api.SetClusterACLRules(&k8s.SetClusterACLRulesRequest{ClusterID: c.ID, ACLs: []*k8s.ACLRuleRequest{
		{IP: &ip, Description: "one"}, {ScalewayRanges: &yes, Description: "scw"}}})
	if err != nil || len(set.Rules) != 2 {
		t.Fatalf("set: %v %v", set, err)
	}
	l, _ := api.ListClusterACLRules(&k8s.ListClusterACLRulesRequest{ClusterID: c.ID}, scw.WithAllPages())
	if l.TotalCount != 2 || l.Rules[0].IP.String() != "1.2.3.4/32" || l.Rules[1].ScalewayRanges == nil || !*l.Rules[1].ScalewayRanges {
		t.Fatalf("list: %+v", l)
	}
	if err := api.DeleteACLRule(&k8s.DeleteACLRuleRequest{ACLID: l.Rules[0].ID}); err != nil {
		t.Fatal(err)
	}
	l, _ = api.ListClusterACLRules(&k8s.ListClusterACLRulesRequest{ClusterID: c.ID})
	if l.TotalCount != 1 {
		t.Fatalf("after delete: %d", l.TotalCount)
	}
	b, _ := json.Marshal(l)
	if len(b) == 0 {
		t.Fatal("marshal")
	}
}

func TestHandlerServesUnknownRoutes(t *testing.T) {
	s := emulator.MustNew(emulator.Options{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/k8s/v1/regions/fr-par/nope", nil)
	req.Header.Set("X-Auth-Token", "x")
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("unknown route: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// With a real cluster's kubeconfig configured, GetClusterKubeConfig serves that kubeconfig.
func TestConfiguredKubeconfigIsServed(t *testing.T) {
	kc := []byte(`apiVersion: v1
kind: Config
clusters:
- name: real
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: Zm9v
users:
- name: admin
  user:
    token: real-token
contexts:
- name: real
  context: {cluster: real, user: admin}
current-context: real
`)
	env := emulatortest.Start(t, emulator.Options{Kubeconfig: kc, KubeClient: fake.NewClientset()})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "real", "1.35.9", 0)
	got, err := api.GetClusterKubeConfig(&k8s.GetClusterKubeConfigRequest{ClusterID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if server, _ := got.GetServer(); server != "https://127.0.0.1:6443" {
		t.Fatalf("server %q", server)
	}
	if tok, _ := got.GetToken(); tok != "real-token" {
		t.Fatalf("token %q", tok)
	}
}
