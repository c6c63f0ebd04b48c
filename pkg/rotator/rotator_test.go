package rotator

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

var t0 = time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)

// fakeCloud is a narrow stand-in: one cluster, one pool, nodes that are replaced after
// readyAfter polls.
type fakeCloud struct {
	cloud.Provider
	mu         sync.Mutex
	nodes      []cloud.Node
	next       int
	readyAfter int // GetCluster calls after ReplaceNode before the new node is ready
	pending    int
	replaced   []string
	events     *[]string
	replaceErr error
}

func (f *fakeCloud) Kubeconfig(context.Context, string, string) ([]byte, error) {
	return []byte("kubeconfig"), nil
}

func (f *fakeCloud) GetCluster(_ context.Context, _, id string) (*cloud.Cluster, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pending > 0 {
		f.pending--
		if f.pending == 0 {
			for i := range f.nodes {
				if f.nodes[i].Status == "creating" {
					f.nodes[i].Status = "ready"
				}
			}
		}
	}
	return &cloud.Cluster{ID: id, Status: "ready", Pools: []cloud.Pool{{ID: "pool-1", Status: "ready", Nodes: append([]cloud.Node(nil), f.nodes...)}}}, nil
}

func (f *fakeCloud) ReplaceNode(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.replaceErr != nil {
		return f.replaceErr
	}
	*f.events = append(*f.events, "replace "+id)
	f.replaced = append(f.replaced, id)
	for i, n := range f.nodes {
		if n.ID == id {
			f.next++
			status := "ready"
			if f.readyAfter > 0 {
				status, f.pending = "creating", f.readyAfter
			}
			f.nodes[i] = cloud.Node{ID: fmt.Sprintf("new-%d", f.next), Name: fmt.Sprintf("scw-new-%d", f.next), Status: status}
			return nil
		}
	}
	return &cloud.NotFoundError{Resource: "node", ID: id}
}

type fakeDrainer struct {
	events   *[]string
	drainErr map[string]error
}

func (d *fakeDrainer) Drain(_ context.Context, node string, o DrainOptions) (*DrainReport, error) {
	*d.events = append(*d.events, fmt.Sprintf("drain %s (%s, %s)", node, o.Timeout, o.OnTimeout))
	return &DrainReport{Evicted: 2}, d.drainErr[node]
}
func (d *fakeDrainer) Uncordon(_ context.Context, node string) error {
	*d.events = append(*d.events, "uncordon "+node)
	return nil
}
func (d *fakeDrainer) WaitNodeReady(_ context.Context, node string, _ time.Duration) error {
	*d.events = append(*d.events, "k8s-ready "+node)
	return nil
}

func setup(n int) (*Rotator, *fakeCloud, *fakeDrainer, *[]string, []plan.Action, *clocktesting.FakeClock) {
	events := &[]string{}
	fc := &fakeCloud{events: events}
	var actions []plan.Action
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("scw-old-%d", i)
		fc.nodes = append(fc.nodes, cloud.Node{ID: fmt.Sprintf("old-%d", i), Name: name, Status: "ready"})
		actions = append(actions, plan.Action{ID: "c/rotate-node/p/" + name, Type: plan.RotateNode, Target: "node/c/p/" + name,
			Payload: plan.Payload{Rotate: &plan.NodeRotation{ClusterID: "c-1", Pool: "p", PoolID: "pool-1", Node: name,
				NodeID: fmt.Sprintf("old-%d", i), DrainTimeout: 10 * time.Minute, OnDrainTimeout: "skip"}}})
	}
	d := &fakeDrainer{events: events, drainErr: map[string]error{}}
	clk := clocktesting.NewFakeClock(t0)
	r := &Rotator{Provider: fc, Clock: clk, NewDrainer: func([]byte) (Drainer, error) { return d, nil }}
	return r, fc, d, events, actions, clk
}

// rotateEach runs RotateNode for each action in order, as apply does for a pool (apply, not the
// rotator, stops a pool's remaining actions after an abort).
func rotateEach(r *Rotator, actions []plan.Action) []Result {
	d, _ := r.NewDrainer(nil)
	var out []Result
	for _, a := range actions {
		out = append(out, r.RotateNode(context.Background(), "fr-par", d, a))
	}
	return out
}

func TestDrainsBeforeReplacingOneAtATime(t *testing.T) {
	r, fc, _, events, actions, _ := setup(2)
	res := rotateEach(r, actions)
	want := []string{
		"drain scw-old-1 (10m0s, skip)", "replace old-1", "k8s-ready scw-new-1",
		"drain scw-old-2 (10m0s, skip)", "replace old-2", "k8s-ready scw-new-2",
	}
	if fmt.Sprint(*events) != fmt.Sprint(want) {
		t.Fatalf("events:\n got %q\nwant %q", *events, want)
	}
	for _, x := range res {
		if x.Outcome != Done {
			t.Errorf("%s: %s %s", x.Node, x.Outcome, x.Message)
		}
	}
	if len(fc.replaced) != 2 {
		t.Errorf("replaced %v", fc.replaced)
	}
}

func TestDrainSkipLeavesNodeAndContinues(t *testing.T) {
	r, fc, d, _, actions, _ := setup(2)
	d.drainErr["scw-old-1"] = fmt.Errorf("pdb default/web blocks eviction: %w", ErrDrainSkipped)
	res := rotateEach(r, actions)
	if res[0].Outcome != Skipped || res[1].Outcome != Done {
		t.Fatalf("outcomes = %s, %s", res[0].Outcome, res[1].Outcome)
	}
	if fmt.Sprint(fc.replaced) != "[old-2]" {
		t.Errorf("replaced %v, want only old-2 (a skipped node must never be replaced)", fc.replaced)
	}
}

func TestDrainAbortIsReportedAndNothingReplaced(t *testing.T) {
	r, fc, d, _, actions, _ := setup(1)
	d.drainErr["scw-old-1"] = fmt.Errorf("pdb default/web: %w", ErrDrainAborted)
	res := rotateEach(r, actions)
	if res[0].Outcome != Aborted || !strings.Contains(res[0].Message, "default/web") {
		t.Fatalf("outcome = %+v", res[0])
	}
	if len(fc.replaced) != 0 {
		t.Errorf("replaced %v after abort", fc.replaced)
	}
}

func TestReplaceFailureUncordons(t *testing.T) {
	r, fc, _, events, actions, _ := setup(1)
	fc.replaceErr = &cloud.TerminalError{Reason: "quotas_exceeded", Err: fmt.Errorf("quota exceeded(s): instance has reached its quota")}
	res := rotateEach(r, actions)
	if res[0].Outcome != Failed || !cloud.IsTerminal(res[0].Err) {
		t.Fatalf("outcome = %+v", res[0])
	}
	if (*events)[len(*events)-1] != "uncordon scw-old-1" {
		t.Errorf("events %q: the node must be uncordoned after a failed replace", *events)
	}
}

func TestWaitsForReplacementOnTheClock(t *testing.T) {
	r, fc, _, _, actions, clk := setup(1)
	fc.readyAfter = 3
	done := make(chan []Result)
	go func() { done <- rotateEach(r, actions) }()
	for {
		select {
		case res := <-done:
			if res[0].Outcome != Done || res[0].NewNode != "scw-new-1" {
				t.Fatalf("result %+v", res[0])
			}
			if res[0].Duration < 2*r.poll() {
				t.Errorf("duration %s: should have polled on the clock", res[0].Duration)
			}
			return
		default:
			if clk.HasWaiters() {
				clk.Step(r.poll())
			}
		}
	}
}

func TestAlreadyReplacedIsDone(t *testing.T) {
	r, fc, _, events, actions, _ := setup(1)
	fc.nodes[0].ID = "someone-else"
	res := rotateEach(r, actions)
	if res[0].Outcome != Done || len(*events) != 0 {
		t.Fatalf("result %+v events %q", res[0], *events)
	}
}

func TestNoNodeStartsAfterTheWindowClosed(t *testing.T) {
	r, fc, _, events, actions, clk := setup(2)
	end := t0.Add(time.Hour)
	for i := range actions {
		actions[i].Payload.Rotate.WindowEnd = end
	}
	res := rotateEach(r, actions[:1])
	if res[0].Outcome != Done {
		t.Fatalf("inside the window: %+v", res[0])
	}
	clk.SetTime(end)
	res = rotateEach(r, actions[1:])
	if res[0].Outcome != Skipped || len(fc.replaced) != 1 {
		t.Fatalf("after the window closed: %+v, replaced %v, events %q", res[0], fc.replaced, *events)
	}
}
