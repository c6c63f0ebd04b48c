package emulator_test

import (
	"context"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

func TestAutohealRebootsThenReplacesANotReadyNode(t *testing.T) {
	cs := fake.NewClientset()
	e := startLifecycle(t, "2026-12-03T09:00:00Z", emulator.Options{KubeClient: cs})
	healed := e.seed(emulator.SeedCluster{Name: "heal", Version: "1.36.5", Pools: []emulator.SeedPool{
		{Name: "auto", Size: 2, Autohealing: true}, {Name: "manual", Size: 1}}})
	flaky, dead := healed.Pools[0].NodeIDs[0], healed.Pools[0].NodeIDs[1]
	unhealed := healed.Pools[1].NodeIDs[0]
	admin := emulator.NewAdminClient(e.env.URL) // over HTTP
	node := func(id string) *k8s.Node {
		t.Helper()
		n, err := e.api.GetNode(&k8s.GetNodeRequest{NodeID: id})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	kubeReady := func(name string) corev1.ConditionStatus {
		t.Helper()
		n, err := cs.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status
			}
		}
		return corev1.ConditionUnknown
	}

	// a transient failure: rebooted at 15 minutes, and the reboot fixes it
	if err := admin.SetNodeNotReady(flaky, false); err != nil {
		t.Fatal(err)
	}
	if err := admin.SetNodeNotReady(unhealed, true); err != nil {
		t.Fatal(err)
	}
	n := node(flaky)
	if n.Status != k8s.NodeStatusNotReady || kubeReady(n.Name) != corev1.ConditionFalse {
		t.Fatalf("not ready: %s, kube %s", n.Status, kubeReady(n.Name))
	}
	e.stepTo("2026-12-03T09:14:59Z")
	if s := node(flaky).Status; s != k8s.NodeStatusNotReady {
		t.Fatalf("before 15 min: %s", s)
	}
	e.stepTo("2026-12-03T09:15:00Z")
	if s := node(flaky).Status; s != k8s.NodeStatusRebooting {
		t.Fatalf("at 15 min: %s, want rebooting", s)
	}
	e.clk.Step(emulator.DemoDwell.NodeReboot)
	if n := node(flaky); n.Status != k8s.NodeStatusReady || kubeReady(n.Name) != corev1.ConditionTrue {
		t.Fatalf("after the reboot: %s, kube %s", n.Status, kubeReady(n.Name))
	}
	e.stepTo("2026-12-03T10:00:00Z") // healed: nothing more happens to it
	if s := node(flaky).Status; s != k8s.NodeStatusReady {
		t.Fatalf("healed node: %s", s)
	}

	// a persistent failure: the reboot does not help, the node is replaced at 30 minutes
	deadName := node(dead).Name
	if err := admin.SetNodeNotReady(dead, true); err != nil {
		t.Fatal(err)
	}
	e.stepTo("2026-12-03T10:15:00Z")
	if s := node(dead).Status; s != k8s.NodeStatusRebooting {
		t.Fatalf("at 15 min: %s, want rebooting", s)
	}
	e.clk.Step(emulator.DemoDwell.NodeReboot)
	if s := node(dead).Status; s != k8s.NodeStatusNotReady {
		t.Fatalf("after a reboot that does not help: %s", s)
	}
	e.stepTo("2026-12-03T10:29:59Z")
	if s := node(dead).Status; s != k8s.NodeStatusNotReady {
		t.Fatalf("before 30 min: %s", s)
	}
	e.stepTo("2026-12-03T10:30:00Z")
	if s := node(dead).Status; s != k8s.NodeStatusDeleting {
		t.Fatalf("at 30 min: %s, want deleting", s)
	}
	e.clk.Step(time.Minute)
	nodes, err := e.api.ListNodes(&k8s.ListNodesRequest{ClusterID: healed.ID, PoolID: &healed.Pools[0].ID}, scw.WithAllPages())
	if err != nil || len(nodes.Nodes) != 2 {
		t.Fatalf("pool after the replacement: %v %v", nodes, err)
	}
	for _, n := range nodes.Nodes {
		if n.ID == dead || n.Status != k8s.NodeStatusReady {
			t.Fatalf("after the replacement: %s %s", n.ID, n.Status)
		}
	}
	if _, err := cs.CoreV1().Nodes().Get(context.Background(), n.Name, metav1.GetOptions{}); err != nil {
		t.Fatalf("healed node gone from kube: %v", err)
	}
	if _, err := cs.CoreV1().Nodes().Get(context.Background(), deadName, metav1.GetOptions{}); err == nil {
		t.Fatal("replaced node still in kube")
	}

	reboots, replaces := e.events(emulator.EventAutohealReboot), e.events(emulator.EventAutohealReplace)
	if len(reboots) != 2 || reboots[0].NodeID != flaky || !reboots[0].Time.Equal(date("2026-12-03T09:15:00Z")) || reboots[1].NodeID != dead {
		t.Fatalf("reboot events: %+v", reboots)
	}
	if len(replaces) != 1 || replaces[0].NodeID != dead || replaces[0].To == "" || !replaces[0].Time.Equal(date("2026-12-03T10:30:00Z")) {
		t.Fatalf("replace events: %+v", replaces)
	}
	// without autohealing the node stays not ready
	if s := node(unhealed).Status; s != k8s.NodeStatusNotReady {
		t.Fatalf("pool without autohealing: %s", s)
	}
}
