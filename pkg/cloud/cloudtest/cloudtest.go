package cloudtest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Env is one provider under test, fresh for each check.
type Env struct {
	Provider cloud.Provider
	// Ref is the region and project the checks create in; OtherProject must differ from
	// Ref.ProjectID (used to check project scoping).
	Ref          cloud.Ref
	OtherProject string
	// Settle lets transient statuses progress (the fake steps, an emulator advances its clock).
	// It may be nil when time passes on its own.
	Settle func()
	// SettleOnly says statuses change only inside Settle, so a transient status seen in a
	// response is still there at the next call (the fake with a fake clock).
	SettleOnly bool
	// Timeout bounds each wait (default 20s); Poll is the pause between polls (default 5ms).
	Timeout, Poll time.Duration
}

// Run runs every contract check as a subtest, each with a new Env.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	checks := []struct {
		name string
		fn   func(*testing.T, *harness)
	}{
		{"CreateObserveConverge", checkCreateObserve},
		{"PoolRequired", checkPoolRequired},
		{"NotFound", checkNotFound},
		{"UpgradeRules", checkUpgradeRules},
		{"TransientConflict", checkTransientConflict},
		{"PatchOnlyGivenFields", checkPatch},
		{"PoolMutations", checkPoolMutations},
		{"ReplaceNode", checkReplaceNode},
		{"SetClusterType", checkSetClusterType},
		{"Delete", checkDelete},
		{"Kubeconfig", checkKubeconfig},
		{"NodeTypes", checkNodeTypes},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			env := newEnv(t)
			if env.Timeout == 0 {
				env.Timeout = 20 * time.Second
			}
			if env.Poll == 0 {
				env.Poll = 5 * time.Millisecond
			}
			c.fn(t, &harness{Env: env, ctx: t.Context()})
		})
	}
}

type harness struct {
	Env
	ctx context.Context
}

// privateNetworkID is a literal UUID, as Terraform's tests use for kapsule clusters.
const privateNetworkID = "0f9e0000-0000-4000-8000-00000000a001"

// catalog returns the version names, newest first, failing when fewer than three minors exist.
func (h *harness) catalog(t *testing.T) []string {
	t.Helper()
	s, err := h.Provider.Observe(h.ctx, h.Ref)
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	var names []string
	for _, v := range s.Versions {
		names = append(names, v.Name)
	}
	if len(names) < 3 {
		t.Fatalf("catalog %v: want at least three minors", names)
	}
	return names
}

func (h *harness) kapsule(name, version string, pools ...cloud.Pool) cloud.Cluster {
	return cloud.Cluster{
		Name: name, Type: "kapsule", Version: version, CNI: "cilium", PrivateNetworkID: privateNetworkID,
		Tags: []string{cloud.ManagedByTag}, Description: "contract " + name, Pools: pools,
	}
}

func pool(name string, size int) cloud.Pool {
	return cloud.Pool{Name: name, NodeType: "PRO2-XXS", Size: size, Autohealing: true, RootVolumeSizeGB: 30}
}

func (h *harness) create(t *testing.T, c cloud.Cluster) *cloud.Cluster {
	t.Helper()
	got, err := h.Provider.CreateCluster(h.ctx, h.Ref, c)
	if err != nil {
		t.Fatalf("CreateCluster %q: %v", c.Name, err)
	}
	return got
}

// wait polls GetCluster until ok holds, letting time pass between polls.
func (h *harness) wait(t *testing.T, id, what string, ok func(*cloud.Cluster) bool) *cloud.Cluster {
	t.Helper()
	deadline := time.Now().Add(h.Timeout)
	var last *cloud.Cluster
	for {
		c, err := h.Provider.GetCluster(h.ctx, h.Ref.Region, id)
		if err != nil {
			t.Fatalf("wait for %s: GetCluster: %v", what, err)
		}
		if ok(c) {
			return c
		}
		last = c
		if time.Now().After(deadline) {
			t.Fatalf("wait for %s: timed out; last cluster status %q pools %s", what, last.Status, poolStatuses(last))
		}
		h.settle()
	}
}

// waitGone polls GetCluster until it is not found.
func (h *harness) waitGone(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(h.Timeout)
	for {
		_, err := h.Provider.GetCluster(h.ctx, h.Ref.Region, id)
		if cloud.IsNotFound(err) {
			return
		}
		if err != nil {
			t.Fatalf("wait for deletion: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("wait for deletion of %s: timed out", id)
		}
		h.settle()
	}
}

func (h *harness) settle() {
	if h.Settle != nil {
		h.Settle()
	}
	if !h.SettleOnly {
		time.Sleep(h.Poll) // polling a real server: a short pause between polls
	}
}

// converged: the cluster is ready and every pool is ready with size ready nodes.
func converged(c *cloud.Cluster) bool {
	if c.Status != "ready" {
		return false
	}
	for _, p := range c.Pools {
		if p.Status != "ready" || readyNodes(p) != p.Size || len(p.Nodes) != p.Size {
			return false
		}
	}
	return true
}

func readyNodes(p cloud.Pool) int {
	n := 0
	for _, nd := range p.Nodes {
		if nd.Status == "ready" {
			n++
		}
	}
	return n
}

func poolStatuses(c *cloud.Cluster) string {
	var b strings.Builder
	for _, p := range c.Pools {
		b.WriteString(p.Name + "=" + p.Status + "/" + strconv.Itoa(len(p.Nodes)) + " ")
	}
	return b.String()
}

func poolByName(c *cloud.Cluster, name string) *cloud.Pool {
	i := slices.IndexFunc(c.Pools, func(p cloud.Pool) bool { return p.Name == name })
	if i < 0 {
		return nil
	}
	return &c.Pools[i]
}

// minorOf returns "x.y" of "x.y.z".
func minorOf(v string) string {
	if i := strings.LastIndexByte(v, '.'); i > 0 {
		return v[:i]
	}
	return v
}
