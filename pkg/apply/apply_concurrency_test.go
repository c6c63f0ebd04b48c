package apply

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// gate counts CreateCluster calls in flight and holds each until `want` are in flight together (or
// a generous real-time deadline passes, so a serial executor fails the test instead of hanging).
type gate struct {
	cloud.Provider
	want   int
	expect int // total calls expected: the last one does not wait for company

	total int

	mu       sync.Mutex
	inFlight int
	maxSeen  int
	arrived  chan struct{}
}

func (g *gate) CreateCluster(ctx context.Context, r cloud.Ref, c cloud.Cluster) (*cloud.Cluster, error) {
	g.mu.Lock()
	g.inFlight++
	g.total++
	g.maxSeen = max(g.maxSeen, g.inFlight)
	ch := g.arrived
	if g.inFlight == g.want || g.total == g.expect { // the last to arrive lets everyone go
		close(g.arrived)
		g.arrived = make(chan struct{})
	}
	g.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
	}
	defer func() { g.mu.Lock(); g.inFlight--; g.mu.Unlock() }()
	return g.Provider.CreateCluster(ctx, r, c)
}

func TestClustersRunInParallelWithinTheBound(t *testing.T) {
	e := newEnv(t, 0)
	g := &gate{Provider: e.fake, want: 2, expect: 5, arrived: make(chan struct{})}
	e.exec.Provider, e.exec.Concurrency = g, 2
	var p plan.Plan
	var desired []cloud.Cluster
	for i := range 5 {
		name := fmt.Sprintf("c%d", i)
		p.Clusters = append(p.Clusters, clusterPlan(name, "", act(name, plan.CreateCluster, "cluster/"+name, "1.35.3", nil)))
		desired = append(desired, desiredCluster(name, "1.35.3"))
	}

	res := e.apply(t, fill(&p, desired...), Input{})

	if res.Failed() || res.Count(Done) != 5 {
		t.Fatalf("apply: %+v", res)
	}
	if g.maxSeen != 2 {
		t.Errorf("max clusters in flight = %d, want exactly the bound 2", g.maxSeen)
	}
	for i, cr := range res.Clusters { // results stay in plan order whatever the scheduling
		if cr.Name != fmt.Sprintf("c%d", i) {
			t.Errorf("result %d is %s", i, cr.Name)
		}
	}
}
