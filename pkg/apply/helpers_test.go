package apply

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudfake"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

var ref = cloud.Ref{Region: "fr-par", ProjectID: "p1"}

// env is one test's fake cloud, clock, executor and recorded events. Every wait of the executor
// (poll interval, backoff) moves the clock at once, taking no wall time, and the cloudfake,
// reading the same clock, settles its transitions as simulated time passes. Deterministic for one
// cluster at a time.
type env struct {
	clock  *backofftest.InstantClock
	fake   *cloudfake.Fake
	exec   *Executor
	mu     sync.Mutex
	events []Event
}

func newEnv(t *testing.T, readyAfter time.Duration) *env {
	t.Helper()
	e := &env{clock: backofftest.NewInstantClock(t0)}
	e.fake = cloudfake.New(cloudfake.WithClock(e.clock), cloudfake.WithReadyAfter(readyAfter))
	e.exec = &Executor{
		Provider: e.fake, Clock: e.clock, Concurrency: 2,
		Jitter:   func() float64 { return 0.5 },
		Progress: func(ev Event) { e.mu.Lock(); e.events = append(e.events, ev); e.mu.Unlock() },
		Options:  Options{PollInterval: 5 * time.Second, ProgressEvery: 30 * time.Second},
	}
	return e
}

func (e *env) apply(t *testing.T, p *plan.Plan, in Input) *Result {
	t.Helper()
	res, err := e.exec.Apply(context.Background(), p, in)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

func (e *env) eventMessages(kind EventKind) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.events {
		if ev.Kind == kind {
			out = append(out, ev.Message)
		}
	}
	return out
}

// desiredCluster is a Kapsule cluster with two pools, in the shape plan's projection produces.
func desiredCluster(name, version string) cloud.Cluster {
	return cloud.Cluster{
		Name: name, Region: ref.Region, ProjectID: ref.ProjectID, Type: "kapsule", Version: version, CNI: "cilium",
		PrivateNetworkID: "pn-1", Tags: []string{"team-a", cloud.ManagedByTag},
		Pools: []cloud.Pool{
			{Name: "default", NodeType: "pro2_s", Zone: "fr-par-1", Size: 2, Autohealing: true,
				Labels: map[string]string{"tier": "web"}, UpgradePolicy: cloud.UpgradePolicy{MaxUnavailable: 1}},
			{Name: "batch", NodeType: "pro2_m", Zone: "fr-par-2", Size: 1, UpgradePolicy: cloud.UpgradePolicy{MaxUnavailable: 1}},
		},
	}
}

// act is an action as plan makes it, with the payload of its type filled from target and details
// (the keys plan displays); fill adds the shapes to create.
func act(cluster string, typ plan.ActionType, target, disc string, details map[string]string) plan.Action {
	a := plan.Action{ID: cluster + "/" + string(typ) + "/" + disc, Type: typ, Target: target, Details: details}
	parts := strings.Split(target, "/")
	pl := &a.Payload
	if parts[0] == "pool" && typ != plan.CreatePool {
		pl.Pool = parts[2]
	}
	switch typ {
	case plan.UpgradeCluster, plan.UpgradePool:
		pl.Version = details["version"]
	case plan.SetClusterType:
		pl.Type = details["type"]
	case plan.DeleteCluster:
		pl.Delete = &plan.Deletion{ClusterID: details["cluster_id"], Owner: details["owner"]}
	case plan.RotateNode:
		pl.Rotate = &plan.NodeRotation{Pool: parts[2], Node: parts[3], NodeID: details["node_id"]}
	case plan.UpdateCluster:
		pl.ClusterUpdate = &cloud.ClusterUpdate{}
	case plan.UpdatePool:
		pl.PoolPatch = &plan.PoolPatch{}
	}
	return a
}

// fill gives the create-cluster, create-pool and replace-pool actions of p the shapes to create,
// from the desired clusters (by name), as plan.Compute does; it returns p.
func fill(p *plan.Plan, desired ...cloud.Cluster) *plan.Plan {
	for ci := range p.Clusters {
		cp := &p.Clusters[ci]
		var d *cloud.Cluster
		for i := range desired {
			if desired[i].Name == cp.Name {
				d = &desired[i]
			}
		}
		if d == nil {
			continue
		}
		for ai := range cp.Actions {
			a := &cp.Actions[ai]
			target := strings.Split(a.Target, "/")
			switch a.Type {
			case plan.CreateCluster:
				c := *d
				a.Payload.Cluster = &c
			case plan.CreatePool:
				a.Payload.NewPool = poolOf(d, target[2], target[2])
			case plan.ReplacePool:
				a.Payload.NewPool = poolOf(d, target[2], a.Details["new_pool"])
				a.Payload.Replace = &plan.PoolReplacement{OldPoolID: a.Details["pool_id"], Budget: 1}
			}
		}
	}
	return p
}

// poolOf is d's pool name renamed as (nil when d has none: the action then fails).
func poolOf(d *cloud.Cluster, name, as string) *cloud.Pool {
	for _, p := range d.Pools {
		if p.Name == name {
			p.Name = as
			return &p
		}
	}
	return nil
}

func clusterPlan(name, id string, actions ...plan.Action) plan.ClusterPlan {
	return plan.ClusterPlan{Name: name, Region: ref.Region, ProjectID: ref.ProjectID, ID: id, Actions: actions}
}

func outcomes(cr ClusterResult) []string {
	var out []string
	for _, a := range cr.Actions {
		out = append(out, a.ID+"="+string(a.Outcome))
	}
	return out
}

// seedReady stores a settled cluster (and its pools at its version, nodes ready) in the fake.
func seedReady(f *cloudfake.Fake, c cloud.Cluster) cloud.Cluster {
	c.Status = "ready"
	for i := range c.Pools {
		p := &c.Pools[i]
		p.Status, p.Version = "ready", c.Version
		for n := range p.Size {
			p.Nodes = append(p.Nodes, cloud.Node{Name: p.Name + "-" + string(rune('a'+n)), Status: "ready", CreatedAt: t0.Add(-time.Hour)})
		}
	}
	return f.Seed(ref, c)
}
