package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudfake"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// The replace-pool tests plan with plan.Compute from the fake cloud's snapshot, as the commands
// do, and apply with a fake PoolDrainer that plays Kubernetes (cordon marks, drains).

// fakeDrainer records its calls in one log with the cloud's mutations (by their count at the
// time of the call), so a test sees the order of both; it refuses to drain an uncordoned node.
type fakeDrainer struct {
	mu       sync.Mutex
	fake     *cloudfake.Fake
	log      []string
	cordoned map[string]bool
	drained  map[string]bool
	// hook runs at each call (before its effect); an error is returned by the call.
	hook func(call string) error
	// held makes Drain of these nodes time out with pods a PDB protects.
	held map[string]bool
	// unreachable is what Reachable returns.
	unreachable error
}

func (d *fakeDrainer) Reachable(context.Context, DrainTarget) error { return d.unreachable }

func newFakeDrainer(f *cloudfake.Fake) *fakeDrainer {
	return &fakeDrainer{fake: f, cordoned: map[string]bool{}, drained: map[string]bool{}, held: map[string]bool{}}
}

func (d *fakeDrainer) record(call string) error {
	d.mu.Lock()
	d.log = append(d.log, fmt.Sprintf("%d:%s", len(d.fake.CallNames(true)), call))
	hook := d.hook
	d.mu.Unlock()
	if hook != nil {
		return hook(call)
	}
	return nil
}

func (d *fakeDrainer) WaitNodeReady(_ context.Context, _ DrainTarget, node string, _ time.Duration) error {
	return d.record("WaitNodeReady(" + node + ")")
}

func (d *fakeDrainer) Cordon(_ context.Context, _ DrainTarget, node string) error {
	if err := d.record("Cordon(" + node + ")"); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cordoned[node] = true
	return nil
}

func (d *fakeDrainer) Uncordon(_ context.Context, _ DrainTarget, node string) error {
	if err := d.record("Uncordon(" + node + ")"); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.cordoned, node)
	return nil
}

func (d *fakeDrainer) Drain(_ context.Context, _ DrainTarget, node string, p DrainPolicy) error {
	if err := d.record("Drain(" + node + ")"); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case !d.cordoned[node]:
		return fmt.Errorf("node %s drained before it was cordoned", node)
	case d.held[node] && p.OnTimeout != spec.OnDrainTimeoutForce:
		return &DrainHeldError{Node: node, OnTimeout: p.OnTimeout, Reason: "blocked by PodDisruptionBudget shop/web"}
	}
	d.drained[node] = true
	return nil
}

// sequence interleaves the drainer's calls with the cloud's mutations, in order.
func (d *fakeDrainer) sequence() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	muts := d.fake.CallNames(true)
	var out []string
	next := 0
	for _, l := range d.log {
		var at int
		var call string
		fmt.Sscanf(l, "%d:", &at)
		call = l[strings.Index(l, ":")+1:]
		for ; next < at; next++ {
			out = append(out, muts[next])
		}
		out = append(out, call)
	}
	return append(out, muts[next:]...)
}

// crashingProvider cancels the apply's context right after the n-th successful call of method:
// the process dies with that request on the wire.
type crashingProvider struct {
	*cloudfake.Fake
	method string
	n      int
	cancel context.CancelFunc
	seen   int
}

func (p *crashingProvider) after(method string, err error) {
	if err == nil && method == p.method {
		if p.seen++; p.seen == p.n {
			p.cancel()
		}
	}
}

func (p *crashingProvider) CreatePool(ctx context.Context, region, clusterID string, pl cloud.Pool) (*cloud.Pool, error) {
	out, err := p.Fake.CreatePool(ctx, region, clusterID, pl)
	p.after("CreatePool", err)
	return out, err
}

func (p *crashingProvider) UpdatePool(ctx context.Context, region, id string, u cloud.PoolUpdate) (*cloud.Pool, error) {
	out, err := p.Fake.UpdatePool(ctx, region, id, u)
	p.after("UpdatePool", err)
	return out, err
}

func (p *crashingProvider) DeletePool(ctx context.Context, region, id string) error {
	err := p.Fake.DeletePool(ctx, region, id)
	p.after("DeletePool", err)
	return err
}

// replaceEnv is a cluster prod-par whose pool batch (3 nodes, pro2_m) the spec moves to pro2_l.
type replaceEnv struct {
	*env
	drainer *fakeDrainer
	seeded  cloud.Cluster
	spec    *spec.Cluster
}

func newReplaceEnv(t *testing.T) *replaceEnv {
	t.Helper()
	e := newEnv(t, time.Minute)
	d := desiredCluster("prod-par", "1.35.3")
	d.Pools = d.Pools[1:] // batch only
	d.Pools[0].Size, d.Pools[0].ContainerRuntime = 3, "containerd"
	re := &replaceEnv{env: e, seeded: seedReady(e.fake, d), drainer: newFakeDrainer(e.fake)}
	e.exec.Drainer = re.drainer
	size := 3
	re.spec = &spec.Cluster{Metadata: spec.Metadata{Name: "prod-par"}, Spec: spec.ClusterSpec{
		Region: ref.Region, ProjectID: ref.ProjectID, Version: "1.35.3", CNI: "cilium", PrivateNetworkID: "pn-1",
		AllowDisruptiveReplace: true, Pools: []spec.Pool{{Name: "batch", NodeType: "PRO2-L", Zone: "fr-par-2", Size: &size}}}}
	spec.Default(re.spec)
	return re
}

// replan plans the spec against the fake's live state and returns the plan with only its
// replace-pool actions (the other drift of the hand-seeded cluster is not this test's) and the
// replace-pool, nil when there is none.
func (re *replaceEnv) replan(t *testing.T) (*plan.Plan, *plan.Action) {
	t.Helper()
	snap, err := re.fake.Observe(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compute(plan.Input{Now: re.clock.Now(), Desired: []*spec.Cluster{re.spec}, Snapshots: []*cloud.Snapshot{snap}})
	if err != nil {
		t.Fatal(err)
	}
	cp := &p.Clusters[0]
	cp.Actions = slices.DeleteFunc(cp.Actions, func(a plan.Action) bool { return a.Type != plan.ReplacePool })
	for _, d := range cp.Deferred {
		if d.Action.Type == plan.ReplacePool {
			t.Fatalf("replace-pool deferred: %s %s", d.Why, d.Message)
		}
	}
	if len(cp.Actions) == 0 {
		return p, nil
	}
	if len(cp.Actions) > 1 {
		t.Fatalf("%d replace-pool actions: %+v", len(cp.Actions), cp.Actions)
	}
	return p, &cp.Actions[0]
}

func (re *replaceEnv) live(t *testing.T) *cloud.Cluster {
	t.Helper()
	c, err := re.fake.GetCluster(context.Background(), ref.Region, re.seeded.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// converged checks the end state: one pool, the new one (pro2_l), created once; the old one gone;
// every old node cordoned and drained before the deletion.
func (re *replaceEnv) converged(t *testing.T) {
	t.Helper()
	if _, a := re.replan(t); a != nil {
		t.Fatalf("after the replacement the plan still has %s (steps %s)", a.ID, a.Details["steps"])
	}
	c := re.live(t)
	if len(c.Pools) != 1 || !strings.HasPrefix(c.Pools[0].Name, "batch-") || c.Pools[0].NodeType != "pro2_l" || c.Pools[0].Status != "ready" {
		t.Fatalf("pools = %+v, want only the new batch-* pool (pro2_l), ready", c.Pools)
	}
	if !slices.Contains(c.Pools[0].Tags, plan.ReplacesTag(re.seeded.Pools[0].ID)) {
		t.Errorf("new pool tags %v lack %s", c.Pools[0].Tags, plan.ReplacesTag(re.seeded.Pools[0].ID))
	}
	creates, deletes := 0, 0
	for _, m := range re.fake.CallNames(true) {
		if strings.HasPrefix(m, "CreatePool(") {
			creates++
		}
		if strings.HasPrefix(m, "DeletePool(") {
			deletes++
			if m != "DeletePool("+re.seeded.Pools[0].ID+")" {
				t.Errorf("%s: only the old pool may be deleted", m)
			}
		}
	}
	if creates != 1 || deletes < 1 {
		t.Errorf("%d pool creations and %d deletions, want 1 and at least 1: %v", creates, deletes, re.fake.CallNames(true))
	}
	for _, n := range re.seeded.Pools[0].Nodes {
		if !re.drainer.drained[n.Name] {
			t.Errorf("old node %s was never drained", n.Name)
		}
	}
}

// TestReplacePoolOrder: create the new pool (tagged with the old pool's id), wait for its nodes,
// cordon every old node, mark the old pool, drain each node, mark it drained, then delete it.
func TestReplacePoolOrder(t *testing.T) {
	re := newReplaceEnv(t)
	p, a := re.replan(t)
	if a == nil || a.Details["steps"] != "create-new,wait-ready,cordon,drain,delete-old" {
		t.Fatalf("plan: %+v", a)
	}
	res := re.apply(t, p, Input{})
	if res.Failed() || res.Clusters[0].Actions[0].Outcome != Done {
		t.Fatalf("apply: %+v", res.Clusters[0])
	}
	oldID := re.seeded.Pools[0].ID
	newPool := a.Payload.NewPool.Name
	newID := findPool(re.live(t), newPool).ID
	var newNodes []string
	for _, n := range findPool(re.live(t), newPool).Nodes {
		newNodes = append(newNodes, "WaitNodeReady("+n.Name+")")
	}
	want := append([]string{"CreatePool(" + newPool + ", " + re.seeded.ID + ")"}, newNodes...)
	want = append(want, "Cordon(batch-a)", "Cordon(batch-b)", "Cordon(batch-c)", "UpdatePool("+oldID+")",
		"Drain(batch-a)", "Drain(batch-b)", "Drain(batch-c)", "UpdatePool("+oldID+")", "DeletePool("+oldID+")")
	if got := re.drainer.sequence(); !slices.Equal(got, want) {
		t.Errorf("sequence:\n got %v\nwant %v", got, want)
	}
	_ = newID
	re.converged(t)
}

// TestReplacePoolResumesAfterACrashAtEachStep kills the apply (its context cancelled right after
// the step's request) at each step; the next plan, from the live pools alone, lists the steps
// that remain, and a second apply converges with one new pool created once and the old one gone.
func TestReplacePoolResumesAfterACrashAtEachStep(t *testing.T) {
	for _, tc := range []struct {
		name string
		// crash arms the crash on the provider or the drainer.
		crash func(cp *crashingProvider, d *fakeDrainer, cancel context.CancelFunc)
		steps string // of the re-plan
	}{
		{"after-create", func(cp *crashingProvider, _ *fakeDrainer, _ context.CancelFunc) { cp.method, cp.n = "CreatePool", 1 },
			"wait-ready,cordon,drain,delete-old"},
		{"after-wait-ready", func(_ *crashingProvider, d *fakeDrainer, cancel context.CancelFunc) {
			d.hook = crashAt("WaitNodeReady", 1, cancel)
		}, "cordon,drain,delete-old"},
		{"mid-cordon", func(_ *crashingProvider, d *fakeDrainer, cancel context.CancelFunc) {
			d.hook = crashAt("Cordon", 2, cancel)
		}, "cordon,drain,delete-old"},
		{"after-cordon", func(cp *crashingProvider, _ *fakeDrainer, _ context.CancelFunc) { cp.method, cp.n = "UpdatePool", 1 },
			"drain,delete-old"},
		{"mid-drain", func(_ *crashingProvider, d *fakeDrainer, cancel context.CancelFunc) {
			d.hook = crashAt("Drain", 2, cancel)
		}, "drain,delete-old"},
		{"after-drain", func(cp *crashingProvider, _ *fakeDrainer, _ context.CancelFunc) { cp.method, cp.n = "UpdatePool", 2 },
			"delete-old"},
		{"after-delete", func(cp *crashingProvider, _ *fakeDrainer, _ context.CancelFunc) { cp.method, cp.n = "DeletePool", 1 },
			"delete-old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			re := newReplaceEnv(t)
			p, _ := re.replan(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cp := &crashingProvider{Fake: re.fake, cancel: cancel}
			tc.crash(cp, re.drainer, cancel)
			re.exec.Provider = cp
			res, err := re.exec.Apply(ctx, p, Input{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Failed() {
				t.Fatalf("the crash did not interrupt the apply: %+v", res.Clusters[0])
			}
			re.drainer.hook = nil
			re.exec.Provider = re.fake

			p2, a := re.replan(t)
			if a == nil || a.Details["steps"] != tc.steps {
				t.Fatalf("resumed plan: %+v, want steps %q", a, tc.steps)
			}
			if a.Payload.NewPool.ID == "" {
				t.Fatalf("the resumed plan would create a second pool: %+v", a.Payload.NewPool)
			}
			if res := re.apply(t, p2, Input{}); res.Failed() {
				t.Fatalf("re-run: %+v", res.Clusters[0])
			}
			re.converged(t)
		})
	}
}

// crashAt cancels the apply at the n-th drainer call named call, which then fails as the dying
// process's would.
func crashAt(call string, n int, cancel context.CancelFunc) func(string) error {
	seen := 0
	return func(c string) error {
		if strings.HasPrefix(c, call+"(") {
			if seen++; seen == n {
				cancel()
				return context.Canceled
			}
		}
		return nil
	}
}

// Without Kubernetes access a replacement with nodes to drain fails closed before any change;
// once the old pool is marked drained (a run with access drained it), the deletion needs none.
func TestReplacePoolWithoutDrainerFailsClosed(t *testing.T) {
	re := newReplaceEnv(t)
	re.exec.Drainer = nil
	p, _ := re.replan(t)
	res := re.apply(t, p, Input{})
	ar := res.Clusters[0].Actions[0]
	if ar.Outcome != Failed || !strings.Contains(ar.Error, "no drainer is configured") || !cloud.IsTerminal(res.Clusters[0].Err) {
		t.Fatalf("without a drainer: %+v", res.Clusters[0])
	}
	if m := re.fake.CallNames(true); len(m) != 0 {
		t.Fatalf("mutations without a drainer: %v", m)
	}

	// With a drainer whose cluster does not answer, the same: nothing changes.
	re.exec.Drainer = re.drainer
	re.drainer.unreachable = errors.New("dial tcp: lookup c1.api.k8s.fr-par.scw.cloud: no such host")
	res = re.apply(t, p, Input{})
	if ar := res.Clusters[0].Actions[0]; ar.Outcome != Failed || !strings.Contains(ar.Error, "does not answer: dial tcp") || !cloud.IsTerminal(res.Clusters[0].Err) {
		t.Fatalf("unreachable cluster: %+v", res.Clusters[0])
	}
	if m := re.fake.CallNames(true); len(m) != 0 {
		t.Fatalf("mutations without kubernetes access: %v", m)
	}
	re.drainer.unreachable = nil

	// A run with access stops after the drain; the old pool carries the drained mark.
	re.exec.Drainer = re.drainer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	re.exec.Provider = &crashingProvider{Fake: re.fake, cancel: cancel, method: "UpdatePool", n: 2}
	if _, err := re.exec.Apply(ctx, p, Input{}); err != nil {
		t.Fatal(err)
	}
	re.exec.Provider, re.exec.Drainer = re.fake, nil
	p2, a := re.replan(t)
	if a == nil || a.Details["steps"] != "delete-old" {
		t.Fatalf("re-plan: %+v", a)
	}
	if res := re.apply(t, p2, Input{}); res.Failed() {
		t.Fatalf("deleting a drained pool needs no drainer: %+v", res.Clusters[0])
	}
	re.converged(t)
}

// A drain held by a PodDisruptionBudget past drainTimeout: under skip the action is skipped with
// the budget named and the old pool kept (cordoned, resumable); under abort it fails; under
// force the drain deletes the pods and the replacement finishes.
func TestReplacePoolDrainTimeoutPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy  string
		outcome Outcome
	}{{"skip", Skipped}, {"abort", Failed}, {"force", Done}} {
		t.Run(tc.policy, func(t *testing.T) {
			re := newReplaceEnv(t)
			re.spec.Spec.Pools[0].Rotation.OnDrainTimeout = tc.policy
			re.drainer.held["batch-b"] = true
			p, _ := re.replan(t)
			res := re.apply(t, p, Input{})
			ar := res.Clusters[0].Actions[0]
			if ar.Outcome != tc.outcome {
				t.Fatalf("outcome %s, want %s: %+v", ar.Outcome, tc.outcome, ar)
			}
			old := findPool(re.live(t), "batch")
			if tc.policy == "force" {
				re.converged(t)
				return
			}
			if old == nil || old.Status == "deleting" {
				t.Fatalf("a held drain let the old pool be deleted: %+v", re.live(t).Pools)
			}
			if !strings.Contains(ar.Reason+ar.Error, "shop/web") {
				t.Errorf("the result does not name the blocking PDB: %+v", ar)
			}
			if _, a := re.replan(t); a == nil || a.Details["steps"] != "drain,delete-old" {
				t.Errorf("after a held drain the plan is %+v, want drain,delete-old", a)
			}
		})
	}
}

// No node's drain starts once the upgrade window has closed: the replacement stops, skipped, with
// the old pool's nodes cordoned, and goes on at the next opening.
func TestReplacePoolStopsDrainingAtWindowEnd(t *testing.T) {
	re := newReplaceEnv(t)
	p, a := re.replan(t)
	a.Payload.Replace.WindowEnd = re.clock.Now() // the wait for the new pool outlasts it
	res := re.apply(t, p, Input{})
	ar := res.Clusters[0].Actions[0]
	if ar.Outcome != Skipped || !strings.HasPrefix(ar.Reason, "window-closed:") {
		t.Fatalf("result %+v", ar)
	}
	for _, c := range re.drainer.sequence() {
		if strings.HasPrefix(c, "Drain(") || strings.HasPrefix(c, "DeletePool(") {
			t.Errorf("%s after the window closed", c)
		}
	}
	if _, a := re.replan(t); a == nil || a.Details["steps"] != "drain,delete-old" {
		t.Errorf("re-plan %+v", a)
	}
}

// The plan's old pool must still be the live one: a pool of the same name with another id (the
// user recreated it) is not touched.
func TestReplacePoolRefusesAnotherPool(t *testing.T) {
	re := newReplaceEnv(t)
	p, a := re.replan(t)
	a.Payload.Replace.OldPoolID = "someone-else"
	res := re.apply(t, p, Input{})
	if ar := res.Clusters[0].Actions[0]; ar.Outcome != Failed || !errors.As(res.Clusters[0].Err, new(*cloud.TerminalError)) {
		t.Fatalf("result %+v", ar)
	}
	if m := re.fake.CallNames(true); len(m) != 0 {
		t.Errorf("mutations: %v", m)
	}
}

// The spec goes back to the old node type while its pool is being retired (cordoned, half
// drained): the replacement is undone the same safe way, and the original pool, which takes the
// workloads again, has its nodes uncordoned and its marks removed before the other is drained.
func TestReplacePoolRollbackUncordonsTheKeptPool(t *testing.T) {
	re := newReplaceEnv(t)
	p, first := re.replan(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	re.drainer.hook = crashAt("Drain", 2, cancel)
	if _, err := re.exec.Apply(ctx, p, Input{}); err != nil {
		t.Fatal(err)
	}
	re.drainer.hook = nil
	if !re.drainer.cordoned["batch-a"] || !slices.Contains(findPool(re.live(t), "batch").Tags, plan.ReplacedByTag(findPool(re.live(t), first.Payload.NewPool.Name).ID)) {
		t.Fatalf("setup: batch not retired: %+v", findPool(re.live(t), "batch"))
	}

	re.spec.Spec.Pools[0].NodeType = "PRO2-M"
	p2, a := re.replan(t)
	if a == nil || a.Payload.Pool != first.Payload.NewPool.Name || a.Payload.NewPool.Name != "batch" || a.Details["steps"] != "cordon,drain,delete-old" {
		t.Fatalf("rollback plan: %+v", a)
	}
	if res := re.apply(t, p2, Input{}); res.Failed() {
		t.Fatalf("rollback: %+v", res.Clusters[0])
	}
	c := re.live(t)
	if len(c.Pools) != 1 || c.Pools[0].Name != "batch" || c.Pools[0].NodeType != "pro2_m" {
		t.Fatalf("pools after the rollback: %+v", c.Pools)
	}
	for _, tag := range c.Pools[0].Tags {
		if strings.HasPrefix(tag, plan.ReplacedByTagPrefix) || strings.HasPrefix(tag, plan.DrainedTagPrefix) {
			t.Errorf("kept pool still marked %s", tag)
		}
	}
	for _, n := range c.Pools[0].Nodes {
		if re.drainer.cordoned[n.Name] {
			t.Errorf("node %s of the kept pool left cordoned", n.Name)
		}
	}
	seq := re.drainer.sequence()
	lastUncordon, firstCordon := -1, -1
	for i, call := range seq {
		if strings.HasPrefix(call, "Uncordon(batch-") {
			lastUncordon = i
		}
		if strings.HasPrefix(call, "Cordon(") && strings.Contains(call, first.Payload.NewPool.Name) && firstCordon < 0 {
			firstCordon = i
		}
	}
	if lastUncordon < 0 || firstCordon < lastUncordon {
		t.Errorf("the kept pool must be uncordoned before the other is cordoned: %v", seq)
	}
}

// inflightDrainer counts the drains running at once.
type inflightDrainer struct {
	*fakeDrainer
	mu       sync.Mutex
	now, max int
}

func (d *inflightDrainer) Drain(ctx context.Context, t DrainTarget, node string, p DrainPolicy) error {
	d.mu.Lock()
	d.now++
	d.max = max(d.max, d.now)
	d.mu.Unlock()
	defer func() { d.mu.Lock(); d.now--; d.mu.Unlock() }()
	return d.fakeDrainer.Drain(ctx, t, node, p)
}

// The pool's rotation budget bounds how many of the old pool's nodes drain at once.
func TestReplacePoolDrainsWithinBudget(t *testing.T) {
	re := newReplaceEnv(t)
	re.spec.Spec.Pools[0].Rotation.Budget = &spec.IntOrPercent{Value: 2}
	d := &inflightDrainer{fakeDrainer: re.drainer}
	re.exec.Drainer = d
	p, a := re.replan(t)
	if a.Payload.Replace.Budget != 2 || a.Details["budget"] != "2" {
		t.Fatalf("budget %d %q, want 2", a.Payload.Replace.Budget, a.Details["budget"])
	}
	if res := re.apply(t, p, Input{}); res.Failed() {
		t.Fatalf("apply: %+v", res.Clusters[0])
	}
	if d.max > 2 || d.max < 1 {
		t.Errorf("%d drains at once, budget 2", d.max)
	}
	re.converged(t)
}
