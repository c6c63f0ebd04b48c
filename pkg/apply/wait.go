package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// readyFunc says whether the fresh state c (nil: cluster absent) is what the wait is for, and the
// status to report while it is not. An error ends the wait (e.g. a locked cluster).
type readyFunc func(c *cloud.Cluster) (ok bool, status string, err error)

// waitFor polls the cluster until ready says so, on the injected clock, bounded by the action
// type's timeout, emitting a waiting event when the status changes and every ProgressEvery.
func (r *clusterRun) waitFor(ctx context.Context, a plan.Action, what string, ready readyFunc) error {
	e := r.e
	clk := e.clock()
	start := clk.Now()
	timeout := e.timeout(a.Type)
	lastStatus, lastEmit := "", start
	for {
		c, err := r.observe(ctx)
		if err != nil && !cloud.IsTransient(err) {
			return err
		}
		status := "unknown"
		if err == nil {
			var ok bool
			ok, status, err = ready(c)
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
		}
		elapsed := clk.Since(start)
		if elapsed >= timeout {
			return &TimeoutError{What: what, After: timeout, Status: status}
		}
		if status != lastStatus || clk.Since(lastEmit) >= e.progressEvery() {
			e.emit(Event{Kind: EventWaiting, Cluster: r.cp.Name, ActionID: a.ID, Type: a.Type, Elapsed: elapsed, Status: status,
				Message: fmt.Sprintf("waiting for %s: %s, status %s", what, elapsed.Round(time.Second), status)})
			lastStatus, lastEmit = status, clk.Now()
		}
		if err := backoff.Sleep(ctx, clk, e.pollInterval()); err != nil {
			return err
		}
	}
}

// clusterSettled: the SDK's WaitForClusterPool terminal states of a cluster.
func clusterSettled(s string) bool { return s == "ready" || s == "pool_required" }

// errLocked ends a wait: a locked resource will not become ready by waiting.
func errLocked(what string) error {
	return &cloud.TerminalError{Reason: "locked", Err: fmt.Errorf("%s is locked", what)}
}

// clusterReady waits for the control plane only (updates, type changes, control-plane upgrades).
func clusterReady(name string, cond func(c *cloud.Cluster) bool) readyFunc {
	return func(c *cloud.Cluster) (bool, string, error) {
		if c == nil {
			return false, "absent", &cloud.NotFoundError{Resource: "cluster", ID: name}
		}
		if c.Status == "locked" {
			return false, c.Status, errLocked("cluster " + name)
		}
		return clusterSettled(c.Status) && (cond == nil || cond(c)), c.Status, nil
	}
}

// clusterConverged waits for the control plane, every pool and every node (after create-cluster).
func clusterConverged(name string) readyFunc {
	return func(c *cloud.Cluster) (bool, string, error) {
		ok, status, err := clusterReady(name, nil)(c)
		if err != nil || !ok {
			return ok, status, err
		}
		for i := range c.Pools {
			p := &c.Pools[i]
			ok, st, err := poolReadyState(c.Name, p)
			if err != nil || !ok {
				return false, fmt.Sprintf("pool %s %s", p.Name, st), err
			}
		}
		return true, status, nil
	}
}

// poolReady waits for pool name to be settled with its nodes ready, and cond to hold. A pool
// that existed (exists: it was there before the call, as for an update or an upgrade; otherwise
// once this wait saw it) and is absent now was deleted by someone else: the wait ends with a
// not-found error at once rather than polling until the action's timeout. A pool just created
// may be absent from the first reads.
func poolReady(cluster, name string, exists bool, cond func(p *cloud.Pool) bool) readyFunc {
	seen := exists
	return func(c *cloud.Cluster) (bool, string, error) {
		if c == nil {
			return false, "absent", &cloud.NotFoundError{Resource: "cluster", ID: cluster}
		}
		p := findPool(c, name)
		if p == nil {
			if seen {
				return false, "absent", fmt.Errorf("%w while waiting for it: deleted outside the reconciler?",
					&cloud.NotFoundError{Resource: "pool", ID: cluster + "/" + name})
			}
			return false, "absent", nil
		}
		seen = true
		ok, st, err := poolReadyState(cluster, p)
		return ok && (cond == nil || cond(p)), st, err
	}
}

// poolReadyState: a ready pool needs every node that is not being deleted to be ready; a pool in
// warning is settled as it is (the API's own "check nodes" state, reported by the plan).
func poolReadyState(cluster string, p *cloud.Pool) (bool, string, error) {
	switch {
	case p.Status == "locked":
		return false, p.Status, errLocked(fmt.Sprintf("pool %s/%s", cluster, p.Name))
	case p.Status == "warning":
		return true, p.Status, nil
	case p.Status != "ready":
		return false, p.Status, nil
	}
	for _, n := range p.Nodes {
		if n.Status != "ready" && n.Status != "deleting" {
			return false, fmt.Sprintf("ready, node %s %s", n.Name, n.Status), nil
		}
	}
	return true, p.Status, nil
}

// poolGone waits for pool name to disappear.
func poolGone(name string) readyFunc {
	return func(c *cloud.Cluster) (bool, string, error) {
		p := findPool(c, name)
		if p == nil {
			return true, "deleted", nil
		}
		return false, p.Status, nil
	}
}

// clusterGone waits for the cluster to disappear (GET returns 404).
func clusterGone(c *cloud.Cluster) (bool, string, error) {
	if c == nil {
		return true, "deleted", nil
	}
	return false, c.Status, nil
}
