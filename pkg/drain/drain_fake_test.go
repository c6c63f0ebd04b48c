package drain

// Narrow unit tests of the eviction loop on client-go's fake clientset; the
// behaviour against a real API server is in drain_real_test.go.

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

var t0 = time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)

func fakeNode(name string, cordoned bool) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.NodeSpec{Unschedulable: cordoned}}
}

func fakePod(ns, name, node string, owners []metav1.OwnerReference, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), Labels: labels, OwnerReferences: owners},
		Spec:       corev1.PodSpec{NodeName: node},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// evictions is a reactor for pods/eviction: it refuses the first refuse[pod]
// evictions of each pod with 429 (always when refuse[pod] < 0), then accepts
// and removes the pod. It records every call.
type evictions struct {
	mu      sync.Mutex
	refuse  map[string]int
	calls   []string
	tracker k8stesting.ObjectTracker
	err     error // when set, returned for every eviction
}

func (e *evictions) react(a k8stesting.Action) (bool, runtime.Object, error) {
	if a.GetSubresource() != "eviction" {
		return false, nil, nil
	}
	ev := a.(k8stesting.CreateAction).GetObject().(*policyv1.Eviction)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, ev.Name)
	if e.err != nil {
		return true, nil, e.err
	}
	if n := e.refuse[ev.Name]; n != 0 {
		if n > 0 {
			e.refuse[ev.Name] = n - 1
		}
		return true, nil, apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
	}
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	return true, nil, e.tracker.Delete(gvr, ev.Namespace, ev.Name)
}

func (e *evictions) called() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...)
}

type fakeEnv struct {
	client *fake.Clientset
	clock  *testingclock.FakeClock
	ev     *evictions
	events []Event
	d      *Drainer
}

func newFakeEnv(t *testing.T, opts Options, objs ...runtime.Object) *fakeEnv {
	t.Helper()
	client := fake.NewClientset(objs...)
	env := &fakeEnv{client: client, clock: testingclock.NewFakeClock(t0)}
	env.ev = &evictions{refuse: map[string]int{}, tracker: client.Tracker()}
	client.PrependReactor("create", "pods", env.ev.react)
	env.d = &Drainer{Client: client, Clock: env.clock, Options: opts, OnEvent: func(e Event) { env.events = append(env.events, e) }}
	kubetest.DriveClock(t, env.clock, 100*time.Millisecond)
	return env
}

func (e *fakeEnv) node(t *testing.T, name string) *corev1.Node {
	t.Helper()
	n, err := e.client.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *fakeEnv) eventTypes() []EventType {
	var out []EventType
	for _, ev := range e.events {
		out = append(out, ev.Type)
	}
	return out
}

func TestDrainRetriesRefusedEvictionsWithBackoff(t *testing.T) {
	rs := ownedBy("ReplicaSet", "web")
	env := newFakeEnv(t, Options{Timeout: time.Minute, RetryDelay: time.Second, MaxRetryDelay: 4 * time.Second},
		fakeNode("n1", false), fakePod("default", "web-0", "n1", rs, nil), fakePod("default", "web-1", "n2", rs, nil))
	env.ev.refuse["web-0"] = 4

	res, err := env.d.Drain(context.Background(), "n1")
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	want := &Result{Node: "n1", Outcome: OutcomeDrained, Evicted: []PodRef{{"default", "web-0"}}, Refusals: 4,
		// Backoff 1s, 2s, 4s, 4s (capped), then the accepted eviction; then
		// one poll interval later the pod is seen gone.
		Duration: 11*time.Second + DefaultPollInterval}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
	if got := env.ev.called(); len(got) != 5 {
		t.Errorf("eviction calls = %v, want 5 for web-0 only (web-1 is on another node)", got)
	}
	if !env.node(t, "n1").Spec.Unschedulable {
		t.Error("a drained node must stay cordoned")
	}
	wantEvents := []EventType{EventCordoned, EventEvictionRefused, EventEvictionRefused, EventEvictionRefused, EventEvictionRefused, EventEvicted, EventPodGone}
	if diff := cmp.Diff(wantEvents, env.eventTypes()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestDrainBackoffResetsAfterProgress(t *testing.T) {
	rs := ownedBy("ReplicaSet", "web")
	env := newFakeEnv(t, Options{Timeout: time.Minute, RetryDelay: time.Second, MaxRetryDelay: 8 * time.Second, PollInterval: 500 * time.Millisecond},
		fakeNode("n1", false), fakePod("default", "a", "n1", rs, nil), fakePod("default", "b", "n1", rs, nil))
	env.ev.refuse["a"] = 2
	env.ev.refuse["b"] = 1

	res, err := env.d.Drain(context.Background(), "n1")
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if res.Outcome != OutcomeDrained || res.Refusals != 3 {
		t.Fatalf("Result = %+v", res)
	}
	if diff := cmp.Diff([]PodRef{{"default", "a"}, {"default", "b"}}, res.Evicted); diff != "" {
		t.Errorf("Evicted (-want +got):\n%s", diff)
	}
	// Round 1: both refused, no progress: wait 1s, delay doubles to 2s.
	// Round 2: a refused, b evicted: progress resets the delay, wait 1s.
	// Round 3: a evicted, nothing blocked: wait one poll interval.
	// Round 4: the node is empty.
	if want := 2*time.Second + 500*time.Millisecond; res.Duration != want {
		t.Errorf("Duration = %s, want %s", res.Duration, want)
	}
}

func pdb(ns, name string, sel map[string]string, minAvailable int) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: ptrIntOrString(minAvailable),
			Selector:     &metav1.LabelSelector{MatchLabels: sel},
		},
	}
}

func ptrIntOrString(i int) *intstr.IntOrString { v := intstr.FromInt32(int32(i)); return &v }

func blockedEnv(t *testing.T, on OnTimeout, cordoned bool) *fakeEnv {
	web := map[string]string{"app": "web"}
	env := newFakeEnv(t, Options{Timeout: 10 * time.Second, OnTimeout: on, RetryDelay: time.Second, MaxRetryDelay: 2 * time.Second, ForceGracePeriod: new(int64)},
		fakeNode("n1", cordoned),
		fakePod("default", "web-0", "n1", ownedBy("ReplicaSet", "web"), web),
		fakePod("default", "agent-x", "n1", ownedBy("DaemonSet", "agent"), nil),
		pdb("default", "web-pdb", web, 2),
		pdb("default", "other-pdb", map[string]string{"app": "other"}, 1),
		pdb("kube-system", "web-pdb-elsewhere", web, 1))
	env.ev.refuse["web-0"] = -1
	return env
}

func TestDrainTimeoutSkipUncordonsAndNamesThePDB(t *testing.T) {
	env := blockedEnv(t, OnTimeoutSkip, false)
	res, err := env.d.Drain(context.Background(), "n1")
	var te *DrainTimeoutError
	if !errors.As(err, &te) || IsAbort(err) {
		t.Fatalf("Drain error = %v, want *DrainTimeoutError", err)
	}
	wantErr := &DrainTimeoutError{Node: "n1", Timeout: 10 * time.Second, Blocked: []PodRef{{"default", "web-0"}},
		PDBs: []string{"default/web-pdb"}, LastRefusal: "Cannot evict pod as it would violate the pod's disruption budget."}
	if diff := cmp.Diff(wantErr, te); diff != "" {
		t.Errorf("DrainTimeoutError (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), `drain node "n1": timed out after 10s: 1 pod(s) blocked (default/web-0) by PodDisruptionBudget default/web-pdb`; got != want {
		t.Errorf("message = %q\nwant      %q", got, want)
	}
	if res.Outcome != OutcomeSkipped || !res.Uncordoned || res.Duration != 10*time.Second {
		t.Errorf("Result = %+v, want skipped, uncordoned, after exactly 10s", res)
	}
	if diff := cmp.Diff([]SkippedPod{{Pod: PodRef{"default", "agent-x"}, Reason: ReasonDaemonSet, Message: "owned by DaemonSet agent"}}, res.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
	if env.node(t, "n1").Spec.Unschedulable {
		t.Error("skip must uncordon the node")
	}
	for _, c := range env.ev.called() {
		if c != "web-0" {
			t.Errorf("evicted %q: the DaemonSet pod must never be evicted", c)
		}
	}
	// 1s, 2s, 2s, 2s, 2s, then the last 1s up to the deadline: 7 rounds.
	if got := len(env.ev.called()); got != 7 {
		t.Errorf("eviction attempts = %d, want 7", got)
	}
}

func TestDrainTimeoutSkipLeavesAnOperatorsCordon(t *testing.T) {
	env := blockedEnv(t, OnTimeoutSkip, true)
	res, err := env.d.Drain(context.Background(), "n1")
	if !IsDrainTimeout(err) {
		t.Fatalf("Drain error = %v, want a drain timeout", err)
	}
	if !res.AlreadyCordoned || res.Uncordoned || !env.node(t, "n1").Spec.Unschedulable {
		t.Errorf("a node cordoned before the drain must stay cordoned: %+v", res)
	}
}

func TestDrainTimeoutAbort(t *testing.T) {
	env := blockedEnv(t, OnTimeoutAbort, false)
	res, err := env.d.Drain(context.Background(), "n1")
	var ae *AbortError
	if !errors.As(err, &ae) {
		t.Fatalf("Drain error = %v, want *AbortError", err)
	}
	if !IsDrainTimeout(err) || ae.Timeout.PDBs[0] != "default/web-pdb" {
		t.Errorf("AbortError must carry the timeout details, got %+v", ae.Timeout)
	}
	if res.Outcome != OutcomeAborted || !res.Uncordoned || env.node(t, "n1").Spec.Unschedulable {
		t.Errorf("abort must uncordon the node: %+v", res)
	}
}

func TestDrainTimeoutForceDeletesTheRest(t *testing.T) {
	env := blockedEnv(t, OnTimeoutForce, false)
	res, err := env.d.Drain(context.Background(), "n1")
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if res.Outcome != OutcomeForced || res.Uncordoned || len(res.Remaining) != 0 {
		t.Errorf("Result = %+v, want forced, cordoned, nothing remaining", res)
	}
	if diff := cmp.Diff([]PodRef{{"default", "web-0"}}, res.Forced); diff != "" {
		t.Errorf("Forced (-want +got):\n%s", diff)
	}
	pods, _ := env.client.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{})
	if len(pods.Items) != 1 || pods.Items[0].Name != "agent-x" {
		t.Errorf("pods left = %v, want only the DaemonSet pod", pods.Items)
	}
	if !env.node(t, "n1").Spec.Unschedulable {
		t.Error("force must leave the node cordoned")
	}
}

func TestDrainFatalEvictionErrorUncordons(t *testing.T) {
	env := newFakeEnv(t, Options{Timeout: time.Minute},
		fakeNode("n1", false), fakePod("default", "web-0", "n1", ownedBy("ReplicaSet", "web"), nil))
	env.ev.err = apierrors.NewForbidden(schema.GroupResource{Resource: "pods/eviction"}, "web-0", errors.New("rbac"))
	res, err := env.d.Drain(context.Background(), "n1")
	if err == nil || !apierrors.IsForbidden(err) || IsDrainTimeout(err) {
		t.Fatalf("Drain error = %v, want the wrapped Forbidden", err)
	}
	if res.Outcome != OutcomeFailed || !res.Uncordoned || res.Duration != 0 {
		t.Errorf("Result = %+v, want failed at once, uncordoned", res)
	}
}

func TestDrainCancelledUncordons(t *testing.T) {
	env := blockedEnv(t, OnTimeoutSkip, false)
	ctx, cancel := context.WithCancel(context.Background())
	env.d.OnEvent = func(e Event) {
		if e.Type == EventEvictionRefused {
			cancel()
		}
	}
	res, err := env.d.Drain(ctx, "n1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Drain error = %v, want context.Canceled", err)
	}
	if res.Outcome != OutcomeCancelled || !res.Uncordoned || env.node(t, "n1").Spec.Unschedulable {
		t.Errorf("a cancelled drain must uncordon: %+v", res)
	}
}

func TestCordonIsIdempotent(t *testing.T) {
	env := newFakeEnv(t, Options{}, fakeNode("n1", false))
	ctx := context.Background()
	for range 2 {
		if err := env.d.Cordon(ctx, "n1"); err != nil {
			t.Fatal(err)
		}
	}
	if !env.node(t, "n1").Spec.Unschedulable {
		t.Error("Cordon did not cordon")
	}
	patches := 0
	for _, a := range env.client.Actions() {
		if a.GetVerb() == "patch" {
			patches++
		}
	}
	if patches != 1 {
		t.Errorf("patches = %d, want 1 (the second Cordon is a no-op)", patches)
	}
	if err := env.d.Uncordon(ctx, "n1"); err != nil || env.node(t, "n1").Spec.Unschedulable {
		t.Errorf("Uncordon: %v", err)
	}
	if diff := cmp.Diff([]EventType{EventCordoned, EventUncordoned}, env.eventTypes()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if err := env.d.Cordon(ctx, "missing"); !apierrors.IsNotFound(err) {
		t.Errorf("Cordon of a missing node = %v, want NotFound", err)
	}
}

func TestWaitNodeReady(t *testing.T) {
	ready := func(name string, taints ...corev1.Taint) *corev1.Node {
		n := fakeNode(name, false)
		n.Spec.Taints = taints
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
		return n
	}
	notReady := fakeNode("sick", false)
	notReady.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}
	env := newFakeEnv(t, Options{PollInterval: time.Second},
		ready("ok"), ready("tainted", corev1.Taint{Key: TaintNotReady, Effect: corev1.TaintEffectNoSchedule}), notReady)
	ctx := context.Background()
	if err := env.d.WaitNodeReady(ctx, "ok", time.Minute); err != nil {
		t.Errorf("ready node: %v", err)
	}
	for name, state := range map[string]string{"tainted": "tainted " + TaintNotReady, "sick": "Ready=False", "absent": "not found"} {
		start := env.clock.Now()
		err := env.d.WaitNodeReady(ctx, name, 5*time.Second)
		var ne *NodeNotReadyError
		if !errors.As(err, &ne) || ne.State != state {
			t.Errorf("%s: err = %v, want NodeNotReadyError with state %q", name, err, state)
		}
		if waited := env.clock.Since(start); waited != 5*time.Second {
			t.Errorf("%s: waited %s on the clock, want the 5s timeout", name, waited)
		}
	}
}

func TestClassifyEviction(t *testing.T) {
	gr := schema.GroupResource{Resource: "pods"}
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want evictOutcome
	}{
		{"accepted", ctx, nil, evictAccepted},
		{"not found", ctx, apierrors.NewNotFound(gr, "p"), evictGone},
		{"uid precondition", ctx, apierrors.NewConflict(gr, "p", errors.New("uid")), evictGone},
		{"pdb", ctx, apierrors.NewTooManyRequests("budget", 0), evictRefused},
		{"several pdbs", ctx, apierrors.NewInternalError(errors.New("more than one PodDisruptionBudget")), evictRetry},
		{"call deadline", ctx, context.DeadlineExceeded, evictRetry},
		{"forbidden", ctx, apierrors.NewForbidden(gr, "p", errors.New("no")), evictFatal},
		{"caller gone", cancelled, context.Canceled, evictFatal},
	}
	for _, tt := range tests {
		if got := classifyEviction(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestDrainRetriesAFailedList(t *testing.T) {
	env := newFakeEnv(t, Options{Timeout: time.Minute, PollInterval: time.Second},
		fakeNode("n1", false), fakePod("default", "web-0", "n1", ownedBy("ReplicaSet", "web"), nil))
	failures := 2
	env.client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if failures > 0 {
			failures--
			return true, nil, apierrors.NewServiceUnavailable("etcd leader changed")
		}
		return false, nil, nil
	})
	res, err := env.d.Drain(context.Background(), "n1")
	if err != nil || res.Outcome != OutcomeDrained {
		t.Fatalf("Drain = %+v, %v", res, err)
	}
	if diff := cmp.Diff([]PodRef{{"default", "web-0"}}, res.Evicted); diff != "" {
		t.Errorf("a failed list must not pass for an empty node (-want +got):\n%s", diff)
	}
	// Two failed lists, one round that evicts, one that sees the pod gone.
	if res.Duration != 3*time.Second {
		t.Errorf("Duration = %s, want 3 poll intervals", res.Duration)
	}
}
