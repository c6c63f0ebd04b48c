package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Files of deploy/ that kustomization.yaml leaves out on purpose.
const (
	serviceMonitorFile = "servicemonitor.yaml" // needs the Prometheus Operator's CRD
	secretExampleFile  = "secret.example.yaml" // the shape of the Secrets, never real ones
)

// manifestFiles lists deploy/*.yaml but kustomization.yaml.
func manifestFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return f == "kustomization.yaml" })
	slices.Sort(files)
	return files
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	b, err := os.ReadFile("kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	if err := yaml.UnmarshalStrict(b, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	want := slices.DeleteFunc(manifestFiles(t), func(f string) bool { return f == serviceMonitorFile || f == secretExampleFile })
	got := slices.Sorted(slices.Values(k.Resources))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kustomization.yaml resources (-want +got):\n%s", diff)
	}
}

func deployObjects(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, f := range manifestFiles(t) {
		objs = append(objs, readObjects(t, f)...)
	}
	return objs
}

func TestManifests(t *testing.T) {
	objs := deployObjects(t)
	kinds := byKind(objs)
	for _, k := range []string{"Namespace", "ServiceAccount", "Role", "RoleBinding", "Secret", "Deployment", "Service", "PodDisruptionBudget", "ServiceMonitor"} {
		if len(kinds[k]) == 0 {
			t.Errorf("no %s in deploy/", k)
		}
	}
	for _, o := range objs {
		if o.GetKind() != "Namespace" && o.GetNamespace() != "reconciler" {
			t.Errorf("%s %s in namespace %q, want reconciler", o.GetKind(), o.GetName(), o.GetNamespace())
		}
	}
	d := toDeployment(t, theOne(t, objs, "Deployment"))
	checkDeployment(t, d, deploymentWant{
		replicas: 2, serviceAccount: "reconciler", lease: "reconciler",
		args:    []string{"run", "--repo=", "--cache-dir=/var/cache/reconciler/git", "--webhook-secret-file=/etc/reconciler/webhook/secret"},
		secrets: []string{"reconciler-credentials", "reconciler-webhook"},
	})
	role := kinds["Role"]["reconciler-leader-election"]
	if role == nil {
		t.Fatal("no Role reconciler-leader-election")
	}
	checkLeaseRole(t, role)
}

// deploymentWant is what checkDeployment asserts beyond the invariants every
// variant holds.
type deploymentWant struct {
	replicas       int32
	serviceAccount string
	lease          string   // "": no leader election
	args           []string // each a prefix of some argument
	noArgs         []string // prefixes no argument has
	secrets        []string // Secrets referenced, sorted
}

func checkDeployment(t *testing.T, d *appsv1.Deployment, w deploymentWant) {
	t.Helper()
	if d.Spec.Replicas == nil || *d.Spec.Replicas != w.replicas {
		t.Errorf("replicas %v, want %d", d.Spec.Replicas, w.replicas)
	}
	p := d.Spec.Template.Spec
	if p.ServiceAccountName != w.serviceAccount {
		t.Errorf("serviceAccountName %q, want %q", p.ServiceAccountName, w.serviceAccount)
	}
	if psc := p.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v, want runAsNonRoot and seccomp RuntimeDefault", psc)
	}
	if len(p.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(p.Containers))
	}
	c := p.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container securityContext %+v, want a read-only root, no privilege escalation, all capabilities dropped", sc)
	}
	if lp := c.LivenessProbe; lp == nil || lp.HTTPGet == nil || lp.HTTPGet.Path != "/healthz" || lp.HTTPGet.Port.String() != "http" {
		t.Errorf("livenessProbe %+v, want GET /healthz on port http", lp)
	}
	if rp := c.ReadinessProbe; rp == nil || rp.HTTPGet == nil || rp.HTTPGet.Path != "/readyz" || rp.HTTPGet.Port.String() != "http" {
		t.Errorf("readinessProbe %+v, want GET /readyz on port http", rp)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports %+v, want http 8080", c.Ports)
	}
	if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
		t.Errorf("resources %+v: no memory request", c.Resources)
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		t.Errorf("resources %+v: no memory limit", c.Resources)
	}
	if !hasArg(c.Args, "--listen=:8080") {
		t.Errorf("args %q: not listening on :8080, the probes' port", c.Args)
	}
	// The cache and /tmp are writable emptyDirs under the read-only root.
	vols := map[string]corev1.Volume{}
	for _, v := range p.Volumes {
		vols[v.Name] = v
	}
	for _, m := range []struct{ name, path string }{{"cache", "/var/cache/reconciler"}, {"tmp", "/tmp"}} {
		if vols[m.name].EmptyDir == nil || !slices.ContainsFunc(c.VolumeMounts, func(vm corev1.VolumeMount) bool {
			return vm.Name == m.name && vm.MountPath == m.path && !vm.ReadOnly
		}) {
			t.Errorf("no writable emptyDir %s at %s", m.name, m.path)
		}
	}
	if w.lease != "" {
		for _, a := range []string{"--leader-elect", "--leader-elect-namespace=$(POD_NAMESPACE)", "--leader-elect-name=" + w.lease} {
			if !slices.Contains(c.Args, a) {
				t.Errorf("args %q lack %s", c.Args, a)
			}
		}
		if !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
			return e.Name == "POD_NAMESPACE" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace"
		}) {
			t.Error("no POD_NAMESPACE from the downward API for --leader-elect-namespace")
		}
	} else if hasArg(c.Args, "--leader-elect") {
		t.Errorf("args %q: leader election on, want off", c.Args)
	}
	for _, a := range w.args {
		if !hasArg(c.Args, a) {
			t.Errorf("args %q: none starts with %q", c.Args, a)
		}
	}
	for _, a := range w.noArgs {
		if hasArg(c.Args, a) {
			t.Errorf("args %q: one starts with %q", c.Args, a)
		}
	}
	if diff := cmp.Diff(w.secrets, referencedSecrets(p)); diff != "" {
		t.Errorf("Secrets referenced (-want +got):\n%s", diff)
	}
}

func hasArg(args []string, prefix string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == prefix || strings.HasPrefix(a, prefix) })
}

// referencedSecrets names the Secrets a pod reads, sorted and deduplicated.
func referencedSecrets(p corev1.PodSpec) []string {
	var names []string
	for _, c := range p.Containers {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				names = append(names, e.ValueFrom.SecretKeyRef.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				names = append(names, e.SecretRef.Name)
			}
		}
	}
	for _, v := range p.Volumes {
		if v.Secret != nil {
			names = append(names, v.Secret.SecretName)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// checkLeaseRole wants exactly get, create and update on coordination.k8s.io leases.
func checkLeaseRole(t *testing.T, role *unstructured.Unstructured) {
	t.Helper()
	rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
	want := []any{map[string]any{
		"apiGroups": []any{"coordination.k8s.io"},
		"resources": []any{"leases"},
		"verbs":     []any{"get", "create", "update"},
	}}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("Role %s rules (-want +got):\n%s", role.GetName(), diff)
	}
}

// TestManifestsAgainstAPIServer creates every deploy/ object with server-side
// dry-run; the ServiceMonitor only where its CRD is served.
func TestManifestsAgainstAPIServer(t *testing.T) {
	s := startAPIServer(t)
	objs := deployObjects(t)
	s.ensureNamespace(t, theOne(t, objs, "Namespace").GetName())
	n := s.dryRunCreate(t, objs, "ServiceMonitor")
	t.Logf("the API server accepted %d of %d objects of deploy/", n, len(objs))

	// The check has teeth: a misspelt field is refused.
	d := theOne(t, objs, "Deployment").DeepCopy()
	c := d.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	c["securityContext"].(map[string]any)["readOnlyRootFileSystem"] = true
	m, err := s.mapper.RESTMapping(d.GroupVersionKind().GroupKind(), d.GroupVersionKind().Version)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.dryRun(d, m); err == nil || !strings.Contains(err.Error(), "readOnlyRootFileSystem") {
		t.Errorf("a Deployment with a misspelt field: %v, want refused naming it", err)
	}
}
