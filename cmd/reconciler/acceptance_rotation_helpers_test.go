package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

// The rotation acceptance tests run `reconciler rotate` in-process against the emulator over
// HTTP, whose nodes are mirrored as Node objects into a real kube-apiserver (+ the disruption
// controller) started by pkg/kubetest: drains go through the real Eviction API and real
// PodDisruptionBudgets. The tests play kubelet and ReplicaSet with the kubetest helpers.

// rotationCluster seeds prod-par with one pool "default" of len(ages) nodes aged ages (oldest
// first is not required) into an emulator that mirrors its nodes into kubeconfig's API server,
// and writes a repository whose pool has the given rotation block (YAML flow mapping).
type rotationCluster struct {
	srv  *emulator.Server
	repo string
	// old are the seeded nodes, oldest first.
	old []cloud.Node
}

func newRotationCluster(t *testing.T, kubeconfig []byte, ages []time.Duration, rotationYAML string) *rotationCluster {
	t.Helper()
	srv := emulator.MustNew(emulator.Options{Dwell: emulator.TestDwell, Kubeconfig: kubeconfig, Logf: t.Logf})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	setSCWEnv(t, hs.URL)
	now := time.Now()
	var created []time.Time
	for _, a := range ages {
		created = append(created, now.Add(-a))
	}
	seedProdPar(t, srv, "1.35.9", emulator.SeedPool{Name: "default", NodeType: "pro2_s", Zone: "fr-par-1", Size: uint32(len(ages)),
		Version: "1.35.9", UpgradePolicy: &emulator.UpgradePolicy{MaxUnavailable: 1, MaxSurge: 1}, NodeCreatedAt: created})
	spec := prodSpecHead("1.35") + `    - name: default
      nodeType: PRO2-S
      zone: fr-par-1
      size: ` + fmt.Sprint(len(ages)) + `
      rotation: ` + rotationYAML + "\n"
	rc := &rotationCluster{srv: srv, repo: writeRepo(t, map[string]string{"clusters/prod-par.yaml": spec})}
	rc.old = slices.Clone(livePool(t).Nodes)
	oldestFirst(rc.old)
	return rc
}

// openWindow is a rotation window (UTC) that opened a minute ago and lasts two hours.
func openWindow(now time.Time) string {
	start := now.UTC().Add(-time.Minute)
	return fmt.Sprintf(`{schedule: "%d %d * * *", duration: 2h, timeZone: UTC}`, start.Minute(), start.Hour())
}

// livePool is prod-par's pool "default" as the reconciler observes it.
func livePool(t *testing.T) cloud.Pool {
	t.Helper()
	for _, c := range live(t).Clusters {
		for _, p := range c.Pools {
			if c.Name == "prod-par" && p.Name == "default" {
				return p
			}
		}
	}
	t.Fatal("pool prod-par/default not found")
	return cloud.Pool{}
}

// replaceCall is one ReplaceNode request the emulator received.
type replaceCall struct {
	NodeID string
	At     time.Time
}

// replaceCalls lists the successful ReplaceNode requests in order.
func replaceCalls(t *testing.T, srv *emulator.Server) []replaceCall {
	t.Helper()
	log, err := srv.Requests()
	if err != nil {
		t.Fatal(err)
	}
	var out []replaceCall
	for _, r := range log.Requests {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/replace") && r.Status < 300 {
			parts := strings.Split(r.Path, "/")
			out = append(out, replaceCall{NodeID: parts[len(parts)-2], At: r.Time})
		}
	}
	return out
}

// createPDB creates a PodDisruptionBudget over app=web with minAvailable and waits until the
// disruption controller has counted want healthy pods.
func createPDB(t *testing.T, c kubernetes.Interface, ns, name string, minAvailable, healthy int) {
	t.Helper()
	ctx := context.Background()
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &intstr.IntOrString{IntVal: int32(minAvailable)},
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
	}
	if _, err := c.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "PDB "+name+" status", func() bool {
		p, err := c.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && p.Status.ObservedGeneration >= p.Generation && int(p.Status.CurrentHealthy) == healthy
	})
}

func createNamespace(t *testing.T, c kubernetes.Interface, ns string) {
	t.Helper()
	if _, err := c.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond every 20ms until it holds or timeout passes (real server state).
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// podRecorder follows the app=web pods of a namespace through a watch and records, per pod, the
// node it was bound to and when it was first seen terminating or deleted (its eviction), on the
// wall clock the emulator's request log uses too.
type podRecorder struct {
	mu      sync.Mutex
	node    map[string]string
	evicted map[string]time.Time
	err     error
}

func recordPods(t *testing.T, c kubernetes.Interface, ns string) *podRecorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &podRecorder{node: map[string]string{}, evicted: map[string]time.Time{}}
	list, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for _, p := range list.Items {
		r.node[p.Name] = p.Spec.NodeName
	}
	w, err := c.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: "app=web", ResourceVersion: list.ResourceVersion})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok {
				if ctx.Err() == nil {
					r.mu.Lock()
					r.err = fmt.Errorf("watch event %s: %T", ev.Type, ev.Object)
					r.mu.Unlock()
				}
				continue
			}
			at := time.Now()
			r.mu.Lock()
			r.node[p.Name] = p.Spec.NodeName
			if _, seen := r.evicted[p.Name]; !seen && (p.DeletionTimestamp != nil || ev.Type == watch.Deleted) {
				r.evicted[p.Name] = at
			}
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); w.Stop(); <-done })
	return r
}

// onNode returns the pods ever seen bound to node, with their eviction time (zero: never).
func (r *podRecorder) onNode(node string) map[string]time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]time.Time{}
	for p, n := range r.node {
		if n == node {
			out[p] = r.evicted[p]
		}
	}
	return out
}

// runPods creates n Ready app=web pods bound to node.
func runPods(t *testing.T, c kubernetes.Interface, ns, node string, n int) {
	t.Helper()
	for i := range n {
		s := kubetest.PodSpec{Namespace: ns, Name: fmt.Sprintf("web-%d", i), Node: node, Labels: map[string]string{"app": "web"}}
		if _, err := kubetest.RunPod(context.Background(), c, s); err != nil {
			t.Fatal(err)
		}
	}
}

func nodeUnschedulable(t *testing.T, c kubernetes.Interface, name string) bool {
	t.Helper()
	n, err := c.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return n.Spec.Unschedulable
}
