package kubetest

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func TestStart(t *testing.T) {
	env := Start(t, Options{})
	ctx := context.Background()
	t.Logf("started in %s", env.Started)

	mod, err := toolsModule()
	if err != nil {
		t.Fatal(err)
	}
	want, err := requiredVersion(filepath.Join(mod, "go.mod"), "k8s.io/kubernetes")
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.Client.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != want {
		t.Errorf("server version %q, want %q (the tools module's k8s.io/kubernetes)", v.GitVersion, want)
	}

	// The kubeconfig bytes alone give admin access.
	cfg, err := clientcmd.RESTConfigFromKubeConfig(env.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n, err := CreateReadyNode(ctx, c, "n1", map[string]string{"pool": "default"})
	if err != nil {
		t.Fatal(err)
	}
	if !nodeReady(n) {
		t.Errorf("CreateReadyNode: node not ready: %+v %+v", n.Spec.Taints, n.Status.Conditions)
	}
	if n, err = SetNodeReady(ctx, c, "n1", false); err != nil || nodeReady(n) || len(n.Spec.Taints) != 1 {
		t.Errorf("SetNodeReady(false) = %+v, %v; want the not-ready taint back", n, err)
	}
	if _, err := SetNodeReady(ctx, c, "n1", true); err != nil {
		t.Fatal(err)
	}

	p, err := RunPod(ctx, c, PodSpec{Namespace: "default", Name: "p", Node: "n1", Labels: map[string]string{"app": "p"}})
	if err != nil {
		t.Fatal(err)
	}
	if !IsPodReady(p) || p.Spec.NodeName != "n1" {
		t.Errorf("RunPod: %+v", p.Status)
	}
	if err := c.CoreV1().Pods("default").Delete(ctx, "p", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// No kubelet: the pod stays, terminating, until finalized.
	p, err = c.CoreV1().Pods("default").Get(ctx, "p", metav1.GetOptions{})
	if err != nil || p.DeletionTimestamp == nil {
		t.Fatalf("deleted pod on a node = %v, %v; want it terminating", p, err)
	}
	if n, err := FinalizeTerminating(ctx, c, "default", "app=p"); err != nil || n != 1 {
		t.Fatalf("FinalizeTerminating = %d, %v; want 1", n, err)
	}
	if _, err := c.CoreV1().Pods("default").Get(ctx, "p", metav1.GetOptions{}); err == nil {
		t.Error("finalized pod still there")
	}
}

func TestReplicasKeepsCountOnSchedulableNodes(t *testing.T) {
	env := Start(t, Options{NoControllerManager: true})
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		if _, err := CreateReadyNode(ctx, env.Client, n, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := &Replicas{Client: env.Client, Namespace: "default", Prefix: "web-", Labels: map[string]string{"app": "web"}, Count: 2}
	r.Keep(t)
	waitFor(t, func() bool { return len(r.Created()) == 2 })
	w := WatchReady(t, env.Client, "default", "app=web")
	if w.Ready() != 2 {
		t.Fatalf("ready = %d after the keeper created 2 pods", w.Ready())
	}
	pods, err := env.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]bool{}
	for _, p := range pods.Items {
		nodes[p.Spec.NodeName] = true
	}
	if len(nodes) != 2 {
		t.Errorf("replicas on %v, want spread over a and b", nodes)
	}
	// Deleting one (the keeper finalizes it) brings a replacement.
	victim := pods.Items[0]
	if err := env.Client.CoreV1().Pods("default").Delete(ctx, victim.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(r.Created()) == 3 && w.Ready() == 2 })
	if w.Min() != 1 || w.Err() != nil {
		t.Errorf("min ready = %d (err %v), want 1 while the replacement started", w.Min(), w.Err())
	}
	if errs := r.Errors(); len(errs) > 0 {
		t.Errorf("keeper errors: %v", errs)
	}
}

// waitFor polls cond (real server state) every 20ms for up to 30s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A port taken between choosing and binding (here: handed out while held)
// makes the server start again on fresh ports instead of failing the test.
func TestStartRetriesWhenAPortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	calls := 0
	choosePorts = func(t TB, n int) []int {
		calls++
		if n == 1 && calls == 2 { // kube-apiserver's first attempt
			return []int{port}
		}
		return freePorts(t, n)
	}
	defer func() { choosePorts = freePorts }()

	env := Start(t, Options{NoControllerManager: true})
	if calls != 3 {
		t.Errorf("ports chosen %d times, want 3 (etcd, kube-apiserver twice)", calls)
	}
	if strings.HasSuffix(env.URL, ":"+strconv.Itoa(port)) {
		t.Errorf("URL %s is on the taken port", env.URL)
	}
	if _, err := env.Client.Discovery().ServerVersion(); err != nil {
		t.Errorf("server version after the retry: %v", err)
	}
}
