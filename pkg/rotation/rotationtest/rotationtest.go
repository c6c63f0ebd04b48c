// Package rotationtest holds the fixtures of the node-rotation tests (package rotation's and
// the plan's): a daily window, a ready cluster, nodes and pools of given ages.
package rotationtest

import (
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Times around the daily window's opening of 2026-11-10 (03:00–06:00 UTC).
var (
	Inside  = time.Date(2026, 11, 10, 4, 0, 0, 0, time.UTC)
	Outside = time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	Opening = time.Date(2026, 11, 10, 3, 0, 0, 0, time.UTC)
)

// Day is 24 hours.
const Day = 24 * time.Hour

// Daily is a window open every day 03:00-06:00 UTC.
func Daily() *spec.Window {
	return &spec.Window{Schedule: "0 3 * * *", Duration: spec.Duration{Duration: 3 * time.Hour}}
}

// ReadyCluster is a ready live cluster c-1 (prod-par) without pools.
func ReadyCluster() *cloud.Cluster {
	return &cloud.Cluster{ID: "c-1", Name: "prod-par", Region: "fr-par", ProjectID: "proj-1", Status: "ready"}
}

// Node is a node of pool p-1 created at created.
func Node(name string, created time.Time, status string) cloud.Node {
	return cloud.Node{ID: "id-" + name, PoolID: "p-1", Name: name, Status: status, CreatedAt: created}
}

// AgedPool is a ready pool of n ready nodes named n00, n01, …, node i created at newest-i*step.
func AgedPool(n int, newest time.Time, step time.Duration) *cloud.Pool {
	p := &cloud.Pool{ID: "p-1", ClusterID: "c-1", Name: "default", Status: "ready",
		UpgradePolicy: cloud.UpgradePolicy{MaxUnavailable: 1, MaxSurge: 5}}
	for i := 0; i < n; i++ {
		p.Nodes = append(p.Nodes, Node(fmt.Sprintf("n%02d", i), newest.Add(-time.Duration(i)*step), "ready"))
	}
	return p
}

// MixedPool is a pool p-1 (default) at Inside with two due ready nodes (old 40 d, older 41 d), a
// sick one, a young one and one being created.
func MixedPool() *cloud.Pool {
	return &cloud.Pool{ID: "p-1", ClusterID: "c-1", Name: "default", Status: "ready", Nodes: []cloud.Node{
		Node("old", Inside.Add(-40*Day), "ready"),
		Node("older", Inside.Add(-41*Day), "ready"),
		Node("sick", Inside.Add(-45*Day), "not_ready"),
		Node("young", Inside.Add(-3*Day), "ready"),
		Node("new", Inside.Add(-20*time.Minute), "creating"),
	}}
}
