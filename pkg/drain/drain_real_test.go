package drain

// Drains against a real kube-apiserver + disruption controller (pkg/kubetest;
// skipped when the binaries are absent: make k8s-testbin).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

func TestRealDrain(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{})
	t.Logf("control plane started in %s", env.Started)
	// The Drainer talks through a client built from kubeconfig bytes, as
	// from the Scaleway API; the test's own helpers use env.Client.
	base, err := NewForKubeconfig(env.Kubeconfig, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client
	t.Run("evicts every pod without breaking the PDB", func(t *testing.T) { testEvictWithinPDB(t, c, base) })
	t.Run("waits for each pod's own grace period", func(t *testing.T) { testHonoursGracePeriod(t, c, base) })
	for _, on := range []OnTimeout{OnTimeoutSkip, OnTimeoutAbort, OnTimeoutForce} {
		t.Run("blocking PDB then "+string(on), func(t *testing.T) { testBlockingPDB(t, c, base, on) })
	}
	t.Run("wait node ready", func(t *testing.T) { testWaitNodeReady(t, c, base) })
}

var rsOwner = &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "11111111-2222-3333-4444-555555555555", Controller: ptr.To(true)}

func setup(t *testing.T, c kubernetes.Interface, ns string, nodes ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if _, err := kubetest.CreateReadyNode(ctx, c, n, map[string]string{"test": ns}); err != nil {
			t.Fatal(err)
		}
	}
}

func runPod(t *testing.T, c kubernetes.Interface, s kubetest.PodSpec) {
	t.Helper()
	if _, err := kubetest.RunPod(context.Background(), c, s); err != nil {
		t.Fatal(err)
	}
}

// createPDB creates a PDB over app=web and waits until the disruption
// controller has computed its status for `healthy` pods.
func createPDB(t *testing.T, c kubernetes.Interface, ns string, minAvailable, healthy int) {
	t.Helper()
	ctx := context.Background()
	p := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web-pdb"},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: ptr.To(intstr.FromInt32(int32(minAvailable))),
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		},
	}
	if _, err := c.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "PDB status", func() bool {
		p, err := c.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "web-pdb", metav1.GetOptions{})
		return err == nil && p.Status.ObservedGeneration == p.Generation && int(p.Status.CurrentHealthy) == healthy
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within 60s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func podsOn(t *testing.T, c kubernetes.Interface, ns, node string) []string {
	t.Helper()
	list, err := c.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range list.Items {
		if p.Spec.NodeName == node {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	return out
}

func nodeCordoned(t *testing.T, c kubernetes.Interface, name string) bool {
	t.Helper()
	n, err := c.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return n.Spec.Unschedulable
}

// testEvictWithinPDB: both replicas of web sit on the drained node, under a
// PDB minAvailable 1, so the second eviction is refused until the first
// replica's replacement is Ready elsewhere. A watch checks that fewer than
// one Ready replica never happens.
func testEvictWithinPDB(t *testing.T, c kubernetes.Interface, base *Drainer) {
	const ns = "evict"
	setup(t, c, ns, "a1", "a2", "a3")
	web := map[string]string{"app": "web"}
	for _, name := range []string{"web-0", "web-1"} {
		runPod(t, c, kubetest.PodSpec{Namespace: ns, Name: name, Node: "a1", Labels: web, Owner: rsOwner})
	}
	runPod(t, c, kubetest.PodSpec{Namespace: ns, Name: "agent-a1", Node: "a1", Labels: map[string]string{"app": "agent"},
		Owner: &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "66666666-2222-3333-4444-555555555555", Controller: ptr.To(true)}})
	runPod(t, c, kubetest.PodSpec{Namespace: ns, Name: "static-a1", Node: "a1", Annotations: map[string]string{MirrorPodAnnotation: "hash"}})
	createPDB(t, c, ns, 1, 2)

	ready := kubetest.WatchReady(t, c, ns, "app=web")
	keeper := &kubetest.Replicas{Client: c, Namespace: ns, Prefix: "web-", Labels: web, Count: 2, Owner: rsOwner, NodeLabels: map[string]string{"test": ns}}
	keeper.Keep(t)

	var mu sync.Mutex
	var events []string
	d := &Drainer{Client: base.Client, Options: Options{Timeout: 2 * time.Minute, RetryDelay: 100 * time.Millisecond, MaxRetryDelay: time.Second, PollInterval: 50 * time.Millisecond},
		OnEvent: func(e Event) {
			mu.Lock()
			events = append(events, fmt.Sprintf("%s %s", e.Type, e.Pod.Name))
			mu.Unlock()
		}}
	start := time.Now()
	res, err := d.Drain(context.Background(), "a1")
	t.Logf("drain took %s (%d refusals); events: %v", time.Since(start), res.Refusals, events)
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if res.Outcome != OutcomeDrained || res.Refusals < 1 {
		t.Errorf("Result = %+v, want drained after at least one PDB refusal", res)
	}
	if diff := cmp.Diff([]PodRef{{ns, "web-0"}, {ns, "web-1"}}, res.Evicted); diff != "" {
		t.Errorf("Evicted (-want +got):\n%s", diff)
	}
	wantSkipped := []SkippedPod{
		{Pod: PodRef{ns, "agent-a1"}, Reason: ReasonDaemonSet, Message: "owned by DaemonSet agent"},
		{Pod: PodRef{ns, "static-a1"}, Reason: ReasonMirror, Message: "static pod mirror, managed by the kubelet"},
	}
	if diff := cmp.Diff(wantSkipped, res.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"agent-a1", "static-a1"}, podsOn(t, c, ns, "a1")); diff != "" {
		t.Errorf("pods left on a1 (-want +got):\n%s", diff)
	}
	if !nodeCordoned(t, c, "a1") {
		t.Error("drained node must stay cordoned")
	}
	waitFor(t, "2 ready replicas", func() bool { return ready.Ready() == 2 })
	if ready.Min() < 1 || ready.Err() != nil {
		t.Errorf("PDB violated: %d ready replicas at some point (watch err %v)", ready.Min(), ready.Err())
	}
	if ready.Min() != 1 {
		t.Errorf("min ready = %d, want 1: the drain must have used the budget", ready.Min())
	}
	if errs := keeper.Errors(); len(errs) > 0 {
		t.Errorf("replica keeper: %v", errs)
	}
}

// testHonoursGracePeriod: the eviction carries no grace period, so the
// pod's own 17s applies, and Drain does not return before the pod is gone.
func testHonoursGracePeriod(t *testing.T, c kubernetes.Interface, base *Drainer) {
	const ns = "grace"
	setup(t, c, ns, "g1")
	runPod(t, c, kubetest.PodSpec{Namespace: ns, Name: "slow", Node: "g1", Labels: map[string]string{"app": "slow"}, Owner: rsOwner, GracePeriod: ptr.To[int64](17)})
	d := &Drainer{Client: base.Client, Options: Options{Timeout: time.Minute, PollInterval: 50 * time.Millisecond}}
	type out struct {
		res *Result
		err error
	}
	done := make(chan out, 1)
	go func() { r, err := d.Drain(context.Background(), "g1"); done <- out{r, err} }()
	var pod *corev1.Pod
	waitFor(t, "pod terminating", func() bool {
		p, err := c.CoreV1().Pods(ns).Get(context.Background(), "slow", metav1.GetOptions{})
		pod = p
		return err == nil && p.DeletionTimestamp != nil
	})
	if g := pod.DeletionGracePeriodSeconds; g == nil || *g != 17 {
		t.Errorf("deletion grace = %v, want the pod's own 17s", g)
	}
	select {
	case o := <-done:
		t.Fatalf("Drain returned while the pod was still terminating: %+v, %v", o.res, o.err)
	case <-time.After(200 * time.Millisecond): // a few poll intervals: Drain must still be waiting
	}
	if _, err := kubetest.FinalizeTerminating(context.Background(), c, ns, "app=slow"); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.err != nil || o.res.Outcome != OutcomeDrained || len(o.res.Evicted) != 1 {
		t.Errorf("Drain = %+v, %v", o.res, o.err)
	}
}

// testBlockingPDB: minAvailable equals the replicas, so no eviction is ever
// allowed. The drain's clock is fake and driven forward, so its 30-minute
// timeout passes in moments against the real server.
func testBlockingPDB(t *testing.T, c kubernetes.Interface, base *Drainer, on OnTimeout) {
	ns := "block-" + string(on)
	n1, n2 := ns+"-1", ns+"-2"
	setup(t, c, ns, n1, n2)
	web := map[string]string{"app": "web"}
	runPod(t, c, kubetest.PodSpec{Namespace: ns, Name: "web-0", Node: n1, Labels: web, Owner: rsOwner})
	runPod(t, c, kubetest.PodSpec{Namespace: ns, Name: "web-1", Node: n2, Labels: web, Owner: rsOwner})
	createPDB(t, c, ns, 2, 2)
	ready := kubetest.WatchReady(t, c, ns, "app=web")

	clk := testingclock.NewFakeClock(time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC))
	kubetest.DriveClock(t, clk, 5*time.Second) // every wait is a multiple of 5s
	d := &Drainer{Client: base.Client, Clock: clk, Options: Options{Timeout: 30 * time.Minute, OnTimeout: on,
		RetryDelay: 5 * time.Second, MaxRetryDelay: time.Minute, ForceGracePeriod: ptr.To[int64](0)}}
	start := time.Now()
	res, err := d.Drain(context.Background(), n1)
	t.Logf("%s: drain took %s real, %s on the clock, %d refusals: %v", on, time.Since(start), res.Duration, res.Refusals, err)
	if res.Duration != 30*time.Minute {
		t.Errorf("Duration = %s, want exactly the 30m timeout on the injected clock", res.Duration)
	}
	if res.Refusals < 5 {
		t.Errorf("Refusals = %d: the eviction must have been retried", res.Refusals)
	}
	if diff := cmp.Diff([]string{ns + "/web-pdb"}, res.BlockingPDBs); diff != "" {
		t.Errorf("BlockingPDBs (-want +got):\n%s", diff)
	}
	switch on {
	case OnTimeoutSkip, OnTimeoutAbort:
		var te *DrainTimeoutError
		if !errors.As(err, &te) || !slices.Equal(te.PDBs, []string{ns + "/web-pdb"}) || !slices.Equal(te.Blocked, []PodRef{{ns, "web-0"}}) {
			t.Fatalf("error = %#v, want a DrainTimeoutError naming %s/web-pdb and web-0", err, ns)
		}
		if IsAbort(err) != (on == OnTimeoutAbort) {
			t.Errorf("IsAbort = %t for %s", IsAbort(err), on)
		}
		if nodeCordoned(t, c, n1) || !res.Uncordoned {
			t.Errorf("%s must uncordon the node", on)
		}
		if diff := cmp.Diff([]string{"web-0"}, podsOn(t, c, ns, n1)); diff != "" {
			t.Errorf("pods on %s (-want +got):\n%s", n1, diff)
		}
		if ready.Min() != 2 {
			t.Errorf("min ready = %d, want 2: nothing may be disrupted", ready.Min())
		}
	case OnTimeoutForce:
		if err != nil || res.Outcome != OutcomeForced {
			t.Fatalf("force: %+v, %v", res, err)
		}
		if diff := cmp.Diff([]PodRef{{ns, "web-0"}}, res.Forced); diff != "" {
			t.Errorf("Forced (-want +got):\n%s", diff)
		}
		if len(res.Remaining) != 0 || len(podsOn(t, c, ns, n1)) != 0 {
			t.Errorf("force left pods: %v / %v", res.Remaining, podsOn(t, c, ns, n1))
		}
		if !nodeCordoned(t, c, n1) {
			t.Error("force must leave the node cordoned for its replacement")
		}
	}
}

func testWaitNodeReady(t *testing.T, c kubernetes.Interface, base *Drainer) {
	ctx := context.Background()
	// A new node carries the not-ready taint until it is Ready.
	if _, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "fresh"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	clk := testingclock.NewFakeClock(time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC))
	kubetest.DriveClock(t, clk, 5*time.Second)
	d := &Drainer{Client: base.Client, Clock: clk, Options: Options{PollInterval: 5 * time.Second}}
	err := d.WaitNodeReady(ctx, "fresh", time.Minute)
	var ne *NodeNotReadyError
	if !errors.As(err, &ne) || ne.State != "no Ready condition" {
		t.Fatalf("WaitNodeReady = %v, want NodeNotReadyError(no Ready condition)", err)
	}
	if err := d.WaitNodeReady(ctx, "missing", time.Minute); !IsNodeNotReady(err) {
		t.Errorf("missing node: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- d.WaitNodeReady(ctx, "fresh", 24*time.Hour) }()
	if _, err := kubetest.SetNodeReady(ctx, c, "fresh", true); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("WaitNodeReady after SetNodeReady: %v", err)
	}
}

// Without the disruption controller a PDB never gets a status, and the API
// server refuses every eviction it covers with a 429 carrying Retry-After:
// 10s, which client-go retries silently (up to ten times, 100s). The
// per-call deadline must cut each attempt short so the drain timeout holds.
func TestRealDrainBoundsEachCall(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	c := env.Client
	const ns = "unprocessed"
	setup(t, c, ns, "u1")
	runPod(t, c, kubetest.PodSpec{Namespace: ns, Name: "web-0", Node: "u1", Labels: map[string]string{"app": "web"}, Owner: rsOwner})
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web-pdb"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(0)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
	}
	if _, err := c.PolicyV1().PodDisruptionBudgets(ns).Create(context.Background(), pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	clk := testingclock.NewFakeClock(time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC))
	kubetest.DriveClock(t, clk, 5*time.Second)
	base, err := NewForKubeconfig(env.Kubeconfig, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var retries int
	d := &Drainer{Client: base.Client, Clock: clk, Options: Options{Timeout: 30 * time.Second, RetryDelay: 5 * time.Second,
		MaxRetryDelay: 5 * time.Second, CallTimeout: 500 * time.Millisecond}}
	d.Log = slog.New(countHandler{n: &retries})
	start := time.Now()
	res, err := d.Drain(context.Background(), "u1")
	t.Logf("drain took %s real with %d bounded eviction calls: %v", time.Since(start), retries, err)
	var te *DrainTimeoutError
	if !errors.As(err, &te) || !slices.Equal(te.PDBs, []string{ns + "/web-pdb"}) {
		t.Fatalf("err = %v, want a drain timeout naming %s/web-pdb", err, ns)
	}
	// Seven rounds (0, 5, ..., 30s on the clock), each eviction cut at its
	// deadline: none counts as a PDB refusal, all as retries.
	if res.Refusals != 0 || retries != 7 || res.Duration != 30*time.Second {
		t.Errorf("refusals %d, retried calls %d, clock %s; want 0, 7, 30s", res.Refusals, retries, res.Duration)
	}
}

// countHandler counts the drain's "will retry" warnings.
type countHandler struct{ n *int }

func (h countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "drain eviction failed, will retry" {
		*h.n++
	}
	return nil
}
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countHandler) WithGroup(string) slog.Handler      { return h }
