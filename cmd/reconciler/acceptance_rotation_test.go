package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

const day = 24 * time.Hour

// TestAcceptanceRotationRespectsPDB: a pool of 3 nodes aged 40 days, budget 1, the window open; a
// 2-replica workload under a PDB minAvailable 1. Rotation passes replace all 3 nodes, one per
// pass; a watch checks continuously that a Ready replica always remains, and every old node's
// pods were evicted before its ReplaceNode call.
func TestAcceptanceRotationRespectsPDB(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{})
	ages := []time.Duration{41 * day, 40*day + 12*time.Hour, 40 * day}
	rc := newRotationCluster(t, env.Kubeconfig, ages,
		`{window: `+openWindow(time.Now())+`, budget: 1, drainTimeout: 30s, onDrainTimeout: abort}`)
	c := env.Client
	ctx := context.Background()

	reps := &kubetest.Replicas{Client: c, Namespace: "default", Prefix: "web-", Labels: map[string]string{"app": "web"}, Count: 2}
	stopReplicas := reps.Keep(t)
	eventually(t, 20*time.Second, "2 ready replicas", func() bool {
		l, err := c.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		return err == nil && len(l.Items) == 2 && kubetest.IsPodReady(&l.Items[0]) && kubetest.IsPodReady(&l.Items[1])
	})
	if errs := reps.Errors(); len(errs) > 0 {
		t.Logf("replica keeper: %v", errs)
	}
	createPDB(t, c, "default", "web", 1, 2)
	ready := kubetest.WatchReady(t, c, "default", "app=web")
	pods := recordPods(t, c, "default")

	passes := 0
	for ; passes < 5; passes++ {
		before := len(replaceCalls(t, rc.srv))
		code, out, errOut := cli(t, "", args("rotate", "--repo", rc.repo)...)
		if code != 0 {
			t.Fatalf("pass %d: exit %d\n%s\n%s", passes+1, code, out, errOut)
		}
		if n := len(replaceCalls(t, rc.srv)) - before; n > 1 {
			t.Fatalf("pass %d replaced %d nodes, budget is 1\n%s", passes+1, n, out)
		}
		if !strings.Contains(out, "1 done, 0 skipped, 0 failed") {
			t.Fatalf("pass %d did not rotate one node:\n%s\n%s", passes+1, out, errOut)
		}
		t.Logf("pass %d:\n%s", passes+1, out)
		if oldLeft(livePool(t).Nodes, rc.old) == 0 {
			passes++
			break
		}
	}
	stopReplicas()
	if passes != 3 {
		t.Fatalf("%d passes to replace 3 nodes with budget 1, want 3", passes)
	}
	if err := ready.Err(); err != nil {
		t.Fatal(err)
	}
	if ready.Min() < 1 {
		t.Errorf("the PDB was violated: %d Ready replica(s) at some point", ready.Min())
	}
	if errs := reps.Errors(); len(errs) > 0 {
		t.Logf("replica keeper errors (retried): %v", errs)
	}

	calls := replaceCalls(t, rc.srv)
	if len(calls) != 3 {
		t.Fatalf("%d ReplaceNode calls, want 3: %+v", len(calls), calls)
	}
	evicted := 0
	for i, n := range rc.old {
		if calls[i].NodeID != n.ID {
			t.Errorf("replace #%d was node %s, want %s (oldest first)", i+1, calls[i].NodeID, n.ID)
		}
		for pod, at := range pods.onNode(n.Name) {
			switch {
			case at.IsZero():
				t.Errorf("pod %s on %s was never evicted", pod, n.Name)
			case !at.Before(calls[i].At):
				t.Errorf("pod %s on %s evicted at %s, after ReplaceNode at %s", pod, n.Name, at.Format(time.StampMicro), calls[i].At.Format(time.StampMicro))
			default:
				t.Logf("pod %s on %s evicted %s before ReplaceNode", pod, n.Name, calls[i].At.Sub(at))
				evicted++
			}
		}
		if _, err := c.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{}); err == nil {
			t.Errorf("old node %s still registered in Kubernetes", n.Name)
		}
	}
	if evicted < 2 {
		t.Errorf("only %d pod(s) evicted from the old nodes; the workload never ran on them", evicted)
	}
	pool := livePool(t)
	for _, n := range pool.Nodes {
		if n.Status != "ready" {
			t.Errorf("node %s is %s", n.Name, n.Status)
		}
	}
	if len(pool.Nodes) != 3 {
		t.Errorf("pool has %d nodes, want 3", len(pool.Nodes))
	}
}

func oldLeft(nodes []cloud.Node, old []cloud.Node) int {
	n := 0
	for _, o := range old {
		for _, l := range nodes {
			if l.ID == o.ID {
				n++
			}
		}
	}
	return n
}

// TestAcceptanceRotationDrainTimeout: a PDB that allows no disruption (minAvailable 2 over the 2
// replicas, both on the oldest node) holds the drain until drainTimeout (1s); then skip uncordons
// the node and reports the blocking PDB by name without failing, abort uncordons it and stops the
// pool's other rotations, force deletes the pods and replaces the node.
func TestAcceptanceRotationDrainTimeout(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{})
	c := env.Client
	ctx := context.Background()
	ages := []time.Duration{41 * day, 40*day + 12*time.Hour, 40 * day}
	setup := func(t *testing.T, ns, policy string, budget int) (*rotationCluster, string) {
		rc := newRotationCluster(t, env.Kubeconfig, ages, `{window: `+openWindow(time.Now())+
			`, budget: `+strconv.Itoa(budget)+`, drainTimeout: 1s, onDrainTimeout: `+policy+`}`)
		// The node rotated first: the oldest (the plan keeps the rotations oldest first).
		first := rc.old[0].Name
		createNamespace(t, c, ns)
		runPods(t, c, ns, first, 2)
		createPDB(t, c, ns, "web", 2, 2)
		return rc, first
	}

	t.Run("skip", func(t *testing.T) {
		rc, node := setup(t, "skip", "skip", 1)
		code, out, errOut := cli(t, "", args("rotate", "--repo", rc.repo)...)
		if code != 0 {
			t.Fatalf("a skipped node must not fail the pass: exit %d\n%s\n%s", code, out, errOut)
		}
		want := "skipped (drain-timeout: node " + node + " blocked by PodDisruptionBudget skip/web; uncordoned)"
		if !strings.Contains(out, want) || !strings.Contains(out, "0 done, 1 skipped, 0 failed") {
			t.Errorf("the skip does not name the blocking PDB; want %q in:\n%s", want, out)
		}
		if nodeUnschedulable(t, c, node) {
			t.Errorf("node %s left cordoned", node)
		}
		if calls := replaceCalls(t, rc.srv); len(calls) != 0 {
			t.Errorf("a skipped node was replaced: %+v", calls)
		}
		assertPodsReady(t, c, "skip", 2)
	})

	t.Run("abort", func(t *testing.T) {
		rc, node := setup(t, "abort", "abort", 2)
		code, out, errOut := cli(t, "", args("rotate", "--repo", rc.repo)...)
		if code != 1 {
			t.Fatalf("an aborted pool must fail the pass: exit %d\n%s\n%s", code, out, errOut)
		}
		for _, want := range []string{
			"failed: rotate node " + node + ": rotation of pool default aborted: drain-timeout: node " + node + " blocked by PodDisruptionBudget abort/web",
			"not run (rotation-aborted: prod-par/rotate-node/default/" + node + ")",
			"0 done, 0 skipped, 1 failed, 1 not run",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in:\n%s", want, out)
			}
		}
		if nodeUnschedulable(t, c, node) {
			t.Errorf("node %s left cordoned", node)
		}
		if calls := replaceCalls(t, rc.srv); len(calls) != 0 {
			t.Errorf("an aborted pool replaced nodes: %+v", calls)
		}
		assertPodsReady(t, c, "abort", 2)
	})

	t.Run("force", func(t *testing.T) {
		rc, node := setup(t, "force", "force", 1)
		// the kubelet: terminating pods go away
		kctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			for kctx.Err() == nil {
				_, _ = kubetest.FinalizeTerminating(kctx, c, "force", "app=web")
				time.Sleep(20 * time.Millisecond)
			}
		}()
		pods := recordPods(t, c, "force")
		code, out, errOut := cli(t, "", args("rotate", "--repo", rc.repo)...)
		if code != 0 || !strings.Contains(out, "1 done, 0 skipped, 0 failed") {
			t.Fatalf("force: exit %d\n%s\n%s", code, out, errOut)
		}
		calls := replaceCalls(t, rc.srv)
		if len(calls) != 1 || calls[0].NodeID != rc.old[0].ID {
			t.Fatalf("force replaced %+v, want the oldest node %s", calls, rc.old[0].ID)
		}
		gone := pods.onNode(node)
		if len(gone) != 2 {
			t.Fatalf("pods seen on %s: %v", node, gone)
		}
		for p, at := range gone {
			if at.IsZero() || !at.Before(calls[0].At) {
				t.Errorf("pod %s not deleted before ReplaceNode (deleted %v, replace %v)", p, at, calls[0].At)
			}
		}
		l, err := c.CoreV1().Pods("force").List(ctx, metav1.ListOptions{})
		if err != nil || len(l.Items) != 0 {
			t.Errorf("force left pods: %v %v", l, err)
		}
	})
}

func assertPodsReady(t *testing.T, c kubernetes.Interface, ns string, want int) {
	t.Helper()
	l, err := c.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ready := 0
	for i := range l.Items {
		if kubetest.IsPodReady(&l.Items[i]) {
			ready++
		}
	}
	if ready != want {
		t.Errorf("%d Ready pod(s) in %s, want %d untouched", ready, ns, want)
	}
}
