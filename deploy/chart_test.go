package deploy

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	kubefake "helm.sh/helm/v4/pkg/kube/fake"
	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const (
	chartDir     = "../charts/reconciler"
	releaseName  = "fleet"
	releaseNS    = "gitops"
	fullName     = "fleet-reconciler"
	testRepoURL  = "https://git.example.com/acme/fleet.git"
	credsDefault = "reconciler-credentials"
	// renderKubeVersion is the Kubernetes version the chart is rendered for.
	renderKubeVersion = "v1.37.0"
)

// renderChart renders the chart as `helm template` does: an Install in
// client-only dry-run, no cluster, no release stored anywhere that lasts.
func renderChart(t *testing.T, vals map[string]any) ([]*unstructured.Unstructured, error) {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	cfg := &action.Configuration{
		Releases:     storage.Init(driver.NewMemory()),
		KubeClient:   &kubefake.PrintingKubeClient{Out: io.Discard},
		Capabilities: common.DefaultCapabilities,
	}
	in := action.NewInstall(cfg)
	in.DryRunStrategy = action.DryRunClient
	in.Replace = true
	in.ReleaseName, in.Namespace = releaseName, releaseNS
	// Offline, Helm would assume Kubernetes v1.20 (no version is stamped into
	// test binaries); render for the minor of our k8s.io modules and kubetest.
	in.KubeVersion, err = common.ParseKubeVersion(renderKubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	r, err := in.Run(ch, vals)
	if err != nil {
		return nil, err
	}
	rel, ok := r.(*release.Release)
	if !ok {
		t.Fatalf("release of type %T", r)
	}
	if len(rel.Hooks) > 0 {
		t.Errorf("%d hooks rendered, want none", len(rel.Hooks))
	}
	if !strings.Contains(rel.Info.Notes, testRepoURL) {
		t.Errorf("NOTES.txt does not name the repository:\n%s", rel.Info.Notes)
	}
	return decodeObjects(t, "rendered chart", []byte(rel.Manifest)), nil
}

func mustRender(t *testing.T, vals map[string]any) []*unstructured.Unstructured {
	t.Helper()
	objs, err := renderChart(t, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return objs
}

// defaultValues are the chart's defaults plus the one required value.
func defaultValues() map[string]any {
	return map[string]any{"repo": map[string]any{"url": testRepoURL}}
}

// customValues turn every knob the chart has away from its default.
func customValues() map[string]any {
	return map[string]any{
		"replicaCount":       3,
		"image":              map[string]any{"repository": "rg.fr-par.scw.cloud/acme/reconciler", "tag": "v1.2.3", "pullPolicy": "Always"},
		"repo":               map[string]any{"url": testRepoURL, "branch": "prod", "statusBranch": "status", "owner": "platform-fleet"},
		"interval":           "5m",
		"driftInterval":      "30m",
		"credentials":        map[string]any{"existingSecret": "scw-creds"},
		"webhook":            map[string]any{"existingSecret": "hook", "secretKey": "token"},
		"leaderElection":     map[string]any{"enabled": true, "leaseName": "fleet-leader"},
		"gitLease":           "none",
		"readyFailures":      5,
		"kubeconfigEndpoint": "vpc",
		"log":                map[string]any{"format": "text", "level": "debug"},
		"extraArgs":          []any{"--author-name=fleet-bot"},
		"serviceAccount": map[string]any{"create": true, "name": "fleet-sa",
			"annotations": map[string]any{"example.com/owner": "platform"}},
		"podSecurityContext": map[string]any{"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
			"seccompProfile": map[string]any{"type": "RuntimeDefault"}},
		"resources": map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "256Mi"},
			"limits": map[string]any{"memory": "1Gi"}},
		"serviceMonitor": map[string]any{"enabled": true, "interval": "15s", "labels": map[string]any{"release": "prom"}},
		"nodeSelector":   map[string]any{"kubernetes.io/os": "linux"},
	}
}

func kinds(objs []*unstructured.Unstructured) []string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, o.GetKind()+"/"+o.GetName())
	}
	slices.Sort(ks)
	return ks
}

func TestChartDefaults(t *testing.T) {
	objs := mustRender(t, defaultValues())
	want := []string{
		"Deployment/" + fullName, "PodDisruptionBudget/" + fullName,
		"Role/" + fullName + "-leader-election", "RoleBinding/" + fullName + "-leader-election",
		"Service/" + fullName, "ServiceAccount/" + fullName,
	}
	if diff := cmp.Diff(want, kinds(objs)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	for _, o := range objs {
		if o.GetNamespace() != releaseNS {
			t.Errorf("%s %s in namespace %q, want the release's %q", o.GetKind(), o.GetName(), o.GetNamespace(), releaseNS)
		}
	}
	d := toDeployment(t, theOne(t, objs, "Deployment"))
	checkDeployment(t, d, deploymentWant{
		replicas: 2, serviceAccount: fullName, lease: fullName,
		args: []string{"--repo=" + testRepoURL, "--ref=main", "--interval=1m", "--drift-interval=10m",
			"--cache-dir=/var/cache/reconciler/git", "--log-format=json", "--log-level=info"},
		noArgs:  []string{"--webhook-secret-file", "--lease=", "--ready-failures", "--status-branch", "--kubeconfig-endpoint", "--owner"},
		secrets: []string{credsDefault},
	})
	c := d.Spec.Template.Spec.Containers[0]
	if c.Image != "ghcr.io/scaleway-gitops/reconciler:0.1.0" {
		t.Errorf("image %q, want the repository at the chart's appVersion", c.Image)
	}
	if sc := d.Spec.Template.Spec.SecurityContext; sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
		t.Errorf("pod runAsUser %v, want 65532 (distroless nonroot)", sc.RunAsUser)
	}
	checkLeaseRole(t, theOne(t, objs, "Role"))
	checkService(t, theOne(t, objs, "Service"), 80, 8080)
}

func TestChartCustomValues(t *testing.T) {
	objs := mustRender(t, customValues())
	want := []string{
		"Deployment/" + fullName, "PodDisruptionBudget/" + fullName,
		"Role/" + fullName + "-leader-election", "RoleBinding/" + fullName + "-leader-election",
		"Service/" + fullName, "ServiceAccount/fleet-sa", "ServiceMonitor/" + fullName,
	}
	if diff := cmp.Diff(want, kinds(objs)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	d := toDeployment(t, theOne(t, objs, "Deployment"))
	checkDeployment(t, d, deploymentWant{
		replicas: 3, serviceAccount: "fleet-sa", lease: "fleet-leader",
		args: []string{"--repo=" + testRepoURL, "--ref=prod", "--status-branch=status", "--owner=platform-fleet", "--interval=5m",
			"--drift-interval=30m", "--webhook-secret-file=/etc/reconciler/webhook/token", "--lease=none",
			"--kubeconfig-endpoint=vpc", "--ready-failures=5", "--log-format=text", "--log-level=debug", "--author-name=fleet-bot"},
		secrets: []string{"hook", "scw-creds"},
	})
	p := d.Spec.Template.Spec
	c := p.Containers[0]
	if c.Image != "rg.fr-par.scw.cloud/acme/reconciler:v1.2.3" || c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("image %q (%s), want the custom one, Always", c.Image, c.ImagePullPolicy)
	}
	if p.SecurityContext.RunAsUser == nil || *p.SecurityContext.RunAsUser != 10001 {
		t.Errorf("pod runAsUser %v, want 10001", p.SecurityContext.RunAsUser)
	}
	if got := c.Resources.Limits[corev1.ResourceMemory]; got.Cmp(resource.MustParse("1Gi")) != 0 {
		t.Errorf("memory limit %s, want 1Gi", got.String())
	}
	if p.NodeSelector["kubernetes.io/os"] != "linux" {
		t.Errorf("nodeSelector %v", p.NodeSelector)
	}
	rb := theOne(t, objs, "RoleBinding")
	subj, _, _ := unstructured.NestedSlice(rb.Object, "subjects")
	if len(subj) != 1 || subj[0].(map[string]any)["name"] != "fleet-sa" || subj[0].(map[string]any)["namespace"] != releaseNS {
		t.Errorf("RoleBinding subjects %v, want the ServiceAccount fleet-sa in %s", subj, releaseNS)
	}
	sm := theOne(t, objs, "ServiceMonitor")
	if sm.GetLabels()["release"] != "prom" {
		t.Errorf("ServiceMonitor labels %v, want release=prom", sm.GetLabels())
	}
	eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if diff := cmp.Diff([]any{map[string]any{"port": "metrics", "path": "/metrics", "interval": "15s"}}, eps); diff != "" {
		t.Errorf("ServiceMonitor endpoints (-want +got):\n%s", diff)
	}
}

// TestChartSingleReplica: no leader election, so no Role, no lease flags and no
// PodDisruptionBudget (one replica could never be evicted under maxUnavailable 0).
func TestChartSingleReplica(t *testing.T) {
	vals := defaultValues()
	vals["replicaCount"] = 1
	vals["leaderElection"] = map[string]any{"enabled": false}
	objs := mustRender(t, vals)
	want := []string{"Deployment/" + fullName, "Service/" + fullName, "ServiceAccount/" + fullName}
	if diff := cmp.Diff(want, kinds(objs)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	checkDeployment(t, toDeployment(t, theOne(t, objs, "Deployment")), deploymentWant{
		replicas: 1, serviceAccount: fullName, secrets: []string{credsDefault},
		noArgs: []string{"--leader-elect"},
	})
}

func TestChartRequiresRepoURL(t *testing.T) {
	_, err := renderChart(t, nil)
	if err == nil || !strings.Contains(err.Error(), "repo.url is required") {
		t.Errorf("render without repo.url: %v, want an error naming repo.url", err)
	}
}

func checkService(t *testing.T, svc *unstructured.Unstructured, httpPort, metricsPort int64) {
	t.Helper()
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	want := []any{
		map[string]any{"name": "http", "port": httpPort, "targetPort": "http", "protocol": "TCP"},
		map[string]any{"name": "metrics", "port": metricsPort, "targetPort": "http", "protocol": "TCP"},
	}
	if diff := cmp.Diff(want, ports); diff != "" {
		t.Errorf("Service ports (-want +got):\n%s", diff)
	}
}

// TestChartAgainstAPIServer creates what each variant renders with server-side
// dry-run in the release namespace.
func TestChartAgainstAPIServer(t *testing.T) {
	s := startAPIServer(t)
	s.ensureNamespace(t, releaseNS)
	for name, vals := range map[string]map[string]any{"defaults": defaultValues(), "custom": customValues()} {
		t.Run(name, func(t *testing.T) {
			objs := mustRender(t, vals)
			n := s.dryRunCreate(t, objs, "ServiceMonitor")
			t.Logf("the API server accepted %d of %d objects", n, len(objs))
		})
	}
}

// TestChartLint runs helm lint's rules (Chart.yaml, values, templates rendered
// for both value sets); an icon is all it may miss (an info).
func TestChartLint(t *testing.T) {
	kv, err := common.ParseKubeVersion(renderKubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	for name, vals := range map[string]map[string]any{"defaults": defaultValues(), "custom": customValues()} {
		l := lint.RunAll(chartDir, vals, releaseNS, lint.WithKubeVersion(kv))
		for _, m := range l.Messages {
			if m.Severity > support.InfoSev {
				t.Errorf("%s: %s", name, m)
			} else {
				t.Logf("%s: %s", name, m)
			}
		}
	}
}

// TestChartValuesSchema: values.schema.json refuses a misspelt or mistyped value.
func TestChartValuesSchema(t *testing.T) {
	for name, vals := range map[string]map[string]any{
		"misspelt":                {"repo": map[string]any{"url": testRepoURL}, "replicas": 3},
		"mistyped":                {"repo": map[string]any{"url": testRepoURL}, "replicaCount": "two"},
		"bad lease":               {"repo": map[string]any{"url": testRepoURL}, "gitLease": "kube"},
		"bad kubeconfig endpoint": {"repo": map[string]any{"url": testRepoURL}, "kubeconfigEndpoint": "private"},
		"bad period":              {"repo": map[string]any{"url": testRepoURL}, "interval": "1 minute"},
	} {
		_, err := renderChart(t, vals)
		t.Logf("%s: %v", name, err)
		if err == nil || !strings.Contains(err.Error(), "schema") {
			t.Errorf("%s: render: %v, want a values schema error", name, err)
		}
	}
}
