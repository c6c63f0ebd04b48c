package emulator_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

// Autoheal through a real kube-apiserver: the not-ready node is seen NotReady there, and after the
// replacement the old Node object is gone and a new one is Ready.
func TestAutohealMirroredToARealKubeAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a kube-apiserver")
	}
	kube := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	e := startLifecycle(t, "2026-12-03T09:00:00Z", emulator.Options{Kubeconfig: kube.Kubeconfig})
	c := e.seed(emulator.SeedCluster{Name: "heal", Version: "1.36.5", Pools: []emulator.SeedPool{{Name: "auto", Size: 1, Autohealing: true}}})
	ctx := context.Background()
	kubeNodes := func() map[string]corev1.ConditionStatus {
		t.Helper()
		l, err := kube.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]corev1.ConditionStatus{}
		for _, n := range l.Items {
			for _, cond := range n.Status.Conditions {
				if cond.Type == corev1.NodeReady {
					out[n.Labels[emulator.LabelNodeID]] = cond.Status
				}
			}
		}
		return out
	}
	dead := c.Pools[0].NodeIDs[0]
	if got := kubeNodes(); got[dead] != corev1.ConditionTrue || len(got) != 1 {
		t.Fatalf("seeded node in kube: %v", got)
	}
	if err := e.env.Admin.SetNodeNotReady(dead, true); err != nil {
		t.Fatal(err)
	}
	if got := kubeNodes(); got[dead] != corev1.ConditionFalse {
		t.Fatalf("after SetNodeNotReady: %v", got)
	}
	e.stepTo("2026-12-03T09:30:00Z")
	e.cluster(c.ID) // a request runs the schedule: reboot at 15 min, replace at 30 min
	e.clk.Step(time.Hour)
	e.cluster(c.ID)
	got := kubeNodes()
	if _, ok := got[dead]; ok || len(got) != 1 {
		t.Fatalf("after the replacement: %v", got)
	}
	for id, ready := range got {
		if ready != corev1.ConditionTrue {
			t.Fatalf("replacement %s: Ready=%s", id, ready)
		}
	}
}
