package preflight

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func node(name, pool, cpu, mem string) corev1.Node {
	return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{PoolLabel: pool}},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
}

func pod(ns, name, nodeName string, labels map[string]string, cpu, mem string) corev1.Pod {
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec: corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "main"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
	if cpu != "" {
		p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}
	}
	return p
}

func pdb(ns, name string, sel map[string]string, minAvail *intstr.IntOrString, maxUnavail *intstr.IntOrString) policyv1.PodDisruptionBudget {
	return policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Generation: 1},
		Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: sel}, MinAvailable: minAvail, MaxUnavailable: maxUnavail}}
}

func codes(pd plan.PoolDrain) []string {
	var out []string
	for _, f := range pd.Findings {
		out = append(out, f.String())
	}
	return out
}

func TestEvaluatePool(t *testing.T) {
	one := intstr.FromInt32(1)
	web := map[string]string{"app": "web"}
	obj := &Objects{
		Nodes: []corev1.Node{node("a1", "apps", "2", "4Gi"), node("a2", "apps", "2", "4Gi"), node("o1", "other", "1", "2Gi")},
		Pods: []corev1.Pod{
			pod("default", "web-0", "a1", web, "500m", "1Gi"),
			pod("default", "db-x", "a2", map[string]string{"app": "db"}, "500m", "1Gi"),
			pod("default", "bare", "a2", nil, "", ""),
			pod("kube-system", "agent-a1", "a1", nil, "100m", "100Mi"),
		},
		PDBs:   []policyv1.PodDisruptionBudget{pdb("default", "web", web, &one, nil)},
		Owners: map[string]Workload{"default/db-x": {Kind: "Deployment", Name: "db", Replicas: 1}, "kube-system/agent-a1": {Kind: "DaemonSet", Name: "agent", Replicas: -1}},
	}
	obj.Pods[2].Spec.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	got := EvaluatePool(obj, plan.DrainRequest{Pool: "apps", Why: plan.UpgradePool})
	text := strings.Join(codes(got), "\n")
	for _, want := range []string{
		"drain-blocked: pdb default/web allows 0 disruptions (covers default/web-0)",
		"single-replica: default/db (Deployment) has no PDB",
		"single-replica: default/bare (bare pod) has no PDB",
		`local-storage: default/bare uses emptyDir "scratch"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("findings lack %q:\n%s", want, text)
		}
	}
	if got.Nodes != 2 || got.Pods != 3 {
		t.Errorf("nodes %d pods %d, want 2 and 3 (the DaemonSet pod stays)", got.Nodes, got.Pods)
	}
	// 1 CPU / 2Gi needed, exactly 1 CPU / 2Gi free: it fits, no capacity finding.
	if strings.Contains(text, "capacity:") {
		t.Errorf("capacity flagged although the pods fit:\n%s", text)
	}
	// A busier remaining node does not hold them; a surge node does.
	obj.Pods = append(obj.Pods, pod("default", "other-0", "o1", nil, "500m", "1Gi"))
	obj.Owners["default/other-0"] = Workload{Kind: "Deployment", Name: "other", Replicas: 3}
	got = EvaluatePool(obj, plan.DrainRequest{Pool: "apps", Why: plan.UpgradePool})
	if text := strings.Join(codes(got), "\n"); !strings.Contains(text, "capacity: the 3 evicted pod(s) request 1 CPU and 2Gi memory; the 1 node(s) that stay have 500m CPU and 1Gi memory free") {
		t.Errorf("capacity not flagged:\n%s", text)
	}
	got = EvaluatePool(obj, plan.DrainRequest{Pool: "apps", Why: plan.UpgradePool, Surge: 1})
	if text := strings.Join(codes(got), "\n"); strings.Contains(text, "capacity:") {
		t.Errorf("capacity flagged with a surge node:\n%s", text)
	}
	// A rotation drains only the nodes it names.
	got = EvaluatePool(obj, plan.DrainRequest{Pool: "apps", Why: plan.RotateNode, Nodes: []string{"a1"}})
	if got.Nodes != 1 || got.Pods != 1 {
		t.Errorf("rotation of a1: nodes %d pods %d", got.Nodes, got.Pods)
	}
}

func TestPermissivePDBIsClean(t *testing.T) {
	two := intstr.FromInt32(1)
	web := map[string]string{"app": "web"}
	obj := &Objects{
		Nodes: []corev1.Node{node("a1", "apps", "2", "4Gi"), node("o1", "other", "4", "8Gi"), node("o2", "other", "4", "8Gi")},
		Pods: []corev1.Pod{pod("default", "web-0", "a1", web, "500m", "1Gi"), pod("default", "web-1", "o1", web, "500m", "1Gi"),
			pod("default", "web-2", "o2", web, "500m", "1Gi")},
		PDBs:   []policyv1.PodDisruptionBudget{pdb("default", "web", web, nil, &two)},
		Owners: map[string]Workload{},
	}
	for _, p := range obj.Pods {
		obj.Owners[podKey(&p)] = Workload{Kind: "Deployment", Name: "web", Replicas: 3}
	}
	if got := EvaluatePool(obj, plan.DrainRequest{Pool: "apps", Why: plan.UpgradePool}); len(got.Findings) != 0 {
		t.Errorf("findings = %v, want none", codes(got))
	}
	// The controller's status, once it observed the budget, wins over the spec.
	obj.PDBs[0].Status = policyv1.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 0}
	if got := EvaluatePool(obj, plan.DrainRequest{Pool: "apps", Why: plan.UpgradePool}); len(got.Findings) != 1 || got.Findings[0].Code != plan.FindingDrainBlocked {
		t.Errorf("findings = %v, want drain-blocked from the status", codes(got))
	}
}

func TestEvidence(t *testing.T) {
	o := &metav1.ObjectMeta{Name: "x"}
	if _, ok := Evidence(o, "policy/v1beta1", false); ok {
		t.Error("an object nobody wrote through the removed version counted")
	}
	if ev, ok := Evidence(o, "example.com/v1beta1", true); !ok || ev != "only served in example.com/v1beta1" {
		t.Errorf("only served: %q %v", ev, ok)
	}
	o.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "helm", APIVersion: "policy/v1beta1"}}
	if ev, ok := Evidence(o, "policy/v1beta1", false); !ok || !strings.Contains(ev, "by helm") {
		t.Errorf("managed fields: %q %v", ev, ok)
	}
	o.ManagedFields = nil
	o.Annotations = map[string]string{lastAppliedAnnotation: `{"apiVersion":"batch/v1beta1","kind":"CronJob"}`}
	if ev, ok := Evidence(o, "batch/v1beta1", false); !ok || ev != "last applied as batch/v1beta1" {
		t.Errorf("last applied: %q %v", ev, ok)
	}
}

func TestKubernetesTable(t *testing.T) {
	for _, want := range []struct{ minor, gv, kind string }{
		{"1.25", "policy/v1beta1", "PodDisruptionBudget"}, {"1.25", "batch/v1beta1", "CronJob"},
		{"1.26", "autoscaling/v2beta2", "HorizontalPodAutoscaler"}, {"1.26", "flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"},
		{"1.27", "storage.k8s.io/v1beta1", "CSIStorageCapacity"}, {"1.29", "flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema"},
		{"1.32", "flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration"},
	} {
		found := false
		for _, r := range Kubernetes.For(want.minor) {
			found = found || (r.GroupVersion() == want.gv && r.Kind == want.kind)
		}
		if !found {
			t.Errorf("table lacks %s %s in %s", want.gv, want.kind, want.minor)
		}
	}
	if got := Kubernetes.For("1.36"); len(got) != 0 {
		t.Errorf("1.36 removals = %v: the guide lists none", got)
	}
}
