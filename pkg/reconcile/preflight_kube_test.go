package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/preflight"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
)

// latestListed is the emulator catalog's listed patch of a minor.
func latestListed(t *testing.T, minor string) string {
	t.Helper()
	for _, v := range emulator.DefaultCatalog() {
		if v.Listed && strings.HasPrefix(v.Name, minor+".") {
			return v.Name
		}
	}
	t.Fatalf("the emulator catalog lists no %s", minor)
	return ""
}

// widgetTable is the test's removal table: example.com/v1beta1 Widget goes in 1.36.
var widgetTable = preflight.Table{{Minor: "1.36", Group: "example.com", Version: "v1beta1", Resource: "widgets", Kind: "Widget", Replacement: "example.com/v1"}}

// The pre-flight against a real kube-apiserver, through the emulator's kubeconfig: a cluster on
// 1.35 asked to move to 1.36 has a pool "apps" holding a pod covered by a PDB that allows no
// disruption and a single-replica Deployment without a PDB, and a pool "roomy" whose pods have a
// permissive PDB and room elsewhere (every pod requests 1 CPU and 2Gi, every node has 4 CPU and
// 8Gi); a Widget is served only in a version the test's table removes
// in 1.36. The preview flags both drain problems of apps, none of roomy, lists the Widget and
// defers the hop as removed-apis-in-use; with spec.upgrade.ignoreRemovedAPIs the hop is planned.
func TestPreflightAgainstKubeAPIServer(t *testing.T) {
	kube := kubetest.Start(t, kubetest.Options{})
	ctx := t.Context()
	env := emulatortest.Start(t, emulator.Options{Dwell: emulator.TestDwell, Kubeconfig: kube.Kubeconfig})
	from := latestListed(t, "1.35")
	seeded, err := env.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "shop", Version: from,
		ProjectID: emulatortest.ProjectID, Tags: []string{cloud.ManagedByTag}, PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Pools: []emulator.SeedPool{{Name: "apps", NodeType: "PRO2-S", Size: 2}, {Name: "roomy", NodeType: "PRO2-S", Size: 2}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := kube.Client
	nodes := waitNodes(t, c, 4)
	byPool := map[string][]string{}
	for _, n := range nodes {
		byPool[n.Labels[emulator.LabelPoolName]] = append(byPool[n.Labels[emulator.LabelPoolName]], n.Name)
		n.Status.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi")}
		n.Status.Capacity = n.Status.Allocatable
		if _, err := c.CoreV1().Nodes().UpdateStatus(ctx, &n, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"apps", "roomy"} {
		if slices.Sort(byPool[p]); len(byPool[p]) != 2 {
			t.Fatalf("pool %s nodes = %v", p, byPool[p])
		}
	}
	apps, roomy := byPool["apps"], byPool["roomy"]

	// apps: web (PDB minAvailable 1, one pod: 0 disruptions allowed) and db (1 replica, no PDB).
	deployment(t, c, "web", 1, []string{apps[0]})
	pdb(t, c, "web", &policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1)),
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}})
	deployment(t, c, "db", 1, []string{apps[1]})
	// roomy: shop (3 replicas over both roomy nodes, PDB maxUnavailable 1).
	deployment(t, c, "shop", 3, []string{roomy[0], roomy[1], roomy[1]})
	pdb(t, c, "shop", &policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromInt32(1)),
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "shop"}}})
	waitPDB(t, c, "web", 0)
	waitPDB(t, c, "shop", 1)
	widget(t, kube.Config.Host, dynamic.NewForConfigOrDie(kube.Config))

	clk := backofftest.NewInstantClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	prov, err := scaleway.New(scaleway.WithClient(env.Client), scaleway.WithSecret(emulatortest.SecretKey), scaleway.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	r := &Reconciler{Provider: prov, Clock: clk, DefaultRegion: "fr-par", DefaultProjectID: emulatortest.ProjectID,
		Preflight: &preflight.Checker{Kubeconfig: prov.Kubeconfig, Removals: widgetTable, Timeout: 20 * time.Second}}
	shop := func(extra string) fstest.MapFS {
		return fstest.MapFS{"clusters/shop.yaml": {Data: []byte(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: shop}
spec:
  region: fr-par
  version: "1.36"
  adopt: true
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
` + extra + `  pools:
    - {name: apps, nodeType: PRO2-S, size: 2}
    - {name: roomy, nodeType: PRO2-S, size: 2}
`)}}
	}
	id := seeded.Clusters[0].ID
	to := latestListed(t, "1.36")

	co, repo := revision(t, shop(""))
	pass, err := r.Plan(ctx, co, repo)
	if err != nil {
		t.Fatal(err)
	}
	cp := pass.Plan.Clusters[0]
	if cp.ID != id || cp.Preflight == nil || cp.Preflight.Skipped != "" {
		t.Fatalf("cluster plan %s: preflight %+v", cp.ID, cp.Preflight)
	}
	for _, a := range cp.Actions {
		if a.Type == plan.UpgradeCluster || a.Type == plan.UpgradePool {
			t.Errorf("actions = %v, want the hop deferred", ids(cp.Actions))
		}
	}
	hop := "shop/upgrade-cluster/" + to
	if d := deferredWhy(cp, hop); d != plan.WhyRemovedAPIs {
		t.Errorf("%s deferred as %q, want %s", hop, d, plan.WhyRemovedAPIs)
	}
	md := preview.Markdown(&preview.Preview{Head: preview.Rev{Ref: "pr"}, Base: preview.Rev{Ref: "main"}, Plan: pass.Plan}, plan.MarkdownLimit)
	for _, want := range []string{
		"pool `apps`: drain-blocked: pdb default/web allows 0 disruptions",
		"pool `apps`: single-replica: default/db (Deployment) has no PDB",
		"pool `roomy`: drain clean (2 node(s), 3 pod(s) to evict)",
		"removed in 1.36: `example.com/v1beta1` `Widget default/gizmo`",
		"removed-apis-in-use",
		"### Pre-flight and rollout\n\n- `shop`: pool `apps`: drain-blocked: pdb default/web allows 0 disruptions",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	for _, p := range cp.Preflight.Pools {
		if p.Pool == "roomy" && len(p.Findings) != 0 {
			t.Errorf("roomy findings = %v, want none", p.Findings)
		}
		if p.Pool == "apps" && len(p.Findings) != 2 {
			t.Errorf("apps findings = %v, want exactly the PDB and the single replica", p.Findings)
		}
	}
	t.Logf("preview:\n%s", md)

	co, repo = revision(t, shop("  upgrade: {ignoreRemovedAPIs: true}\n"))
	pass, err = r.Plan(ctx, co, repo)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(pass.Plan.Clusters[0].Actions); !slices.Contains(got, hop) {
		t.Errorf("with ignoreRemovedAPIs actions = %v, want %s", got, hop)
	}
}

// An unreachable cluster is reported as such within the timeout.
func TestPreflightUnreachableCluster(t *testing.T) {
	chk := &preflight.Checker{Timeout: 2 * time.Second, Kubeconfig: func(context.Context, string, string) ([]byte, error) {
		return []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`), nil
	}}
	got := chk.Check(t.Context(), []plan.PreflightRequest{{Key: "k", Cluster: "a", Pools: []plan.DrainRequest{{Pool: "p"}}, Minors: []string{"1.36"}}})
	if s := got["k"].Skipped; !strings.HasPrefix(s, "cluster unreachable: ") {
		t.Errorf("skipped = %q", s)
	}
}

func ids(as []plan.Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func deferredWhy(cp plan.ClusterPlan, id string) string {
	for _, d := range cp.Deferred {
		if d.Action.ID == id {
			return d.Why
		}
	}
	return ""
}

func waitNodes(t *testing.T, c kubernetes.Interface, n int) []corev1.Node {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		l, err := c.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: emulator.LabelPoolName})
		if err == nil && len(l.Items) >= n {
			return l.Items
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator registered %d nodes, want %d (err %v)", len(l.Items), n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// deployment creates a Deployment of replicas with its ReplicaSet and one Ready pod per node
// given, each requesting 1 CPU and 2Gi (the controllers that would do it do not run in the test
// control plane).
func deployment(t *testing.T, c kubernetes.Interface, name string, replicas int32, onNodes []string) {
	t.Helper()
	ctx := t.Context()
	labels := map[string]string{"app": name}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "registry.k8s.io/pause:3.10"}}}}
	d, err := c.AppsV1().Deployments("default").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.AppsV1().ReplicaSets("default").Create(ctx, &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name + "-1", Labels: labels,
		OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))}},
		Spec: appsv1.ReplicaSetSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range onNodes {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("%s-%d", name, i), Labels: labels,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(rs, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))}},
			Spec: corev1.PodSpec{NodeName: n, Containers: []corev1.Container{{Name: "main", Image: "registry.k8s.io/pause:3.10",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("2Gi")}}}}}}
		p, err := c.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kubetest.MarkPodReady(ctx, c, p); err != nil {
			t.Fatal(err)
		}
	}
}

func pdb(t *testing.T, c kubernetes.Interface, name string, s *policyv1.PodDisruptionBudgetSpec) {
	t.Helper()
	if _, err := c.PolicyV1().PodDisruptionBudgets("default").Create(t.Context(),
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: *s}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitPDB waits until the disruption controller has computed the budget.
func waitPDB(t *testing.T, c kubernetes.Interface, name string, allowed int32) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		p, err := c.PolicyV1().PodDisruptionBudgets("default").Get(t.Context(), name, metav1.GetOptions{})
		if err == nil && p.Status.ObservedGeneration >= p.Generation && p.Status.DisruptionsAllowed == allowed && p.Status.ExpectedPods > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pdb %s status %+v, want %d disruptions allowed (err %v)", name, p.Status, allowed, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// widget creates a CRD served only in example.com/v1beta1 and one Widget.
func widget(t *testing.T, _ string, dyn dynamic.Interface) {
	t.Helper()
	ctx := t.Context()
	crdGVR := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets.example.com"},
		"spec": map[string]any{"group": "example.com", "scope": "Namespaced",
			"names": map[string]any{"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
			"versions": []any{map[string]any{"name": "v1beta1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}}
	if _, err := dyn.Resource(crdGVR).Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	gvr := schema.GroupVersionResource{Group: "example.com", Version: "v1beta1", Resource: "widgets"}
	w := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1beta1", "kind": "Widget",
		"metadata": map[string]any{"name": "gizmo", "namespace": "default"}, "spec": map[string]any{"size": 3}}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := dyn.Resource(gvr).Namespace("default").Create(ctx, w, metav1.CreateOptions{})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("create widget: %v", err)
		}
		time.Sleep(100 * time.Millisecond) // the CRD becomes established asynchronously
	}
}

// reconciler.yaml preflight: {enabled: true} turns the checks on with the provider's kubeconfig;
// a cluster whose API server cannot be reached says so in the plan, within the timeout, and its
// minor hop waits (fail closed: removed APIs may be in use). Without the key nothing is read.
func TestPreflightFromSettings(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{Dwell: emulator.TestDwell})
	if _, err := env.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "a", Version: latestListed(t, "1.35"),
		ProjectID: emulatortest.ProjectID, Tags: []string{cloud.ManagedByTag}, PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Pools: []emulator.SeedPool{{Name: "default", NodeType: "PRO2-S", Size: 1}}}}}); err != nil {
		t.Fatal(err)
	}
	clk := backofftest.NewInstantClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	prov, err := scaleway.New(scaleway.WithClient(env.Client), scaleway.WithSecret(emulatortest.SecretKey), scaleway.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	r := &Reconciler{Provider: prov, Clock: clk, DefaultRegion: "fr-par", DefaultProjectID: emulatortest.ProjectID}
	spec := cluster("a", "fr-par", "")
	spec.Data = []byte(strings.Replace(string(spec.Data), `version: "1.35"`, `version: "1.36"`, 1))
	for _, settings := range []string{"", "preflight: {enabled: true, timeout: 2s}\n"} {
		files := fstest.MapFS{"clusters/a.yaml": spec}
		if settings != "" {
			files["reconciler.yaml"] = &fstest.MapFile{Data: []byte(settings)}
		}
		co, repo := revision(t, files)
		pass, err := r.Plan(t.Context(), co, repo)
		if err != nil {
			t.Fatal(err)
		}
		cp := pass.Plan.Clusters[0]
		hop := "a/upgrade-cluster/" + latestListed(t, "1.36")
		if settings == "" && !slices.Contains(ids(cp.Actions), hop) {
			t.Errorf("without preflight: actions %v, want the hop", ids(cp.Actions))
		}
		if settings != "" && deferredWhy(cp, hop) != plan.WhyRemovedAPIsUnchecked {
			t.Errorf("with preflight: actions %v, deferred %+v; want the hop held as %s", ids(cp.Actions), cp.Deferred, plan.WhyRemovedAPIsUnchecked)
		}
		switch {
		case settings == "" && cp.Preflight != nil:
			t.Errorf("without preflight: a pre-flight ran: %+v", cp.Preflight)
		case settings != "" && (cp.Preflight == nil || !strings.HasPrefix(cp.Preflight.Skipped, "cluster unreachable: ")):
			t.Errorf("with preflight: %+v, want skipped as unreachable", cp.Preflight)
		case settings != "" && !strings.Contains(plan.Text(pass.Plan), "drain check skipped: cluster unreachable: "):
			t.Errorf("the plan text does not say the check was skipped:\n%s", plan.Text(pass.Plan))
		}
	}
}
