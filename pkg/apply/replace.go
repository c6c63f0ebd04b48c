package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// PoolDrainer is the Kubernetes side of a replace-pool: the rotator's drain machinery (pkg/drain
// through each cluster's kubeconfig) behind apply. Without one, a replacement that still has
// nodes to drain fails closed: the old pool is never deleted undrained.
type PoolDrainer interface {
	// Reachable checks that the cluster's Kubernetes API answers, before any change is made.
	Reachable(ctx context.Context, t DrainTarget) error
	// WaitNodeReady waits until the node is registered and Ready in Kubernetes.
	WaitNodeReady(ctx context.Context, t DrainTarget, node string, timeout time.Duration) error
	// Cordon marks the node unschedulable (a no-op when it is already).
	Cordon(ctx context.Context, t DrainTarget, node string) error
	// Uncordon makes the node schedulable again (a no-op when it is).
	Uncordon(ctx context.Context, t DrainTarget, node string) error
	// Drain evicts the node's pods through the Eviction API (PodDisruptionBudgets respected)
	// within p.Timeout. Past it, OnTimeout force deletes the remaining pods and returns nil;
	// skip and abort return a *DrainHeldError naming the blocking budgets. The node was
	// cordoned before, so it stays cordoned whatever the outcome.
	Drain(ctx context.Context, t DrainTarget, node string, p DrainPolicy) error
}

// DrainTarget names the cluster (and the pool, for messages) a PoolDrainer works on.
type DrainTarget struct {
	Region, ClusterID, Pool string
}

// DrainPolicy is the drain timeout and what happens past it (skip | force | abort).
type DrainPolicy struct {
	Timeout   time.Duration
	OnTimeout string
}

// DrainHeldError says a drain timed out with pods its PodDisruptionBudgets protect, under
// onDrainTimeout skip or abort. A replace-pool then keeps the old pool (its nodes cordoned):
// skipped under skip (the next run goes on), failed under abort.
type DrainHeldError struct {
	Node      string
	OnTimeout string
	Reason    string // names the blocking PodDisruptionBudgets
}

func (e *DrainHeldError) Error() string {
	return fmt.Sprintf("drain of node %s held (onDrainTimeout %s): %s", e.Node, e.OnTimeout, e.Reason)
}

// replacePool runs a replace-pool's steps, each idempotent and re-derived from a fresh
// observation (the plan's Steps are for people): create the new pool (tagged with the old
// pool's id) and wait until it and its nodes are ready, in the API and in Kubernetes; cordon
// every node of the old pool, then tag it replaced-by; drain the nodes, at most Budget at once
// and none started after the window closed, then tag it drained; delete it. A crash anywhere
// leaves tags from which the next plan resumes. A pool with nodes to drain and no PoolDrainer
// fails closed before any change.
func (r *clusterRun) replacePool(ctx context.Context, a plan.Action) (Outcome, string, error) {
	oldName, repl, rp := a.Payload.Pool, a.Payload.NewPool, a.Payload.Replace
	if repl == nil || repl.Name == oldName || rp == nil {
		return Failed, "", fmt.Errorf("action %s names no new pool", a.ID)
	}
	c, err := r.observe(ctx)
	if err != nil {
		return Failed, "", err
	}
	if c == nil {
		return Failed, "", errAbsent(r.name())
	}
	old, np := findPool(c, oldName), findPool(c, repl.Name)
	if old != nil && old.ID != rp.OldPoolID {
		return Failed, "", &cloud.TerminalError{Reason: "precondition_failed",
			Err: fmt.Errorf("pool %s is now %s, the plan replaces %s: not touching it", oldName, old.ID, rp.OldPoolID)}
	}
	if old != nil && r.e.Drainer == nil && len(toDrain(old, np)) > 0 {
		return Failed, "", &cloud.TerminalError{Reason: "no_kubernetes_access", Err: fmt.Errorf(
			"replacing pool %s cordons and drains its %d node(s) through Kubernetes, and no drainer is configured (no access to the cluster): nothing was changed, the old pool is not deleted undrained",
			oldName, len(toDrain(old, np)))}
	}

	if old != nil && len(toDrain(old, np)) > 0 {
		if err := r.e.Drainer.Reachable(ctx, DrainTarget{Region: r.ref.Region, ClusterID: c.ID, Pool: oldName}); err != nil {
			return Failed, "", &cloud.TerminalError{Reason: "no_kubernetes_access", Err: fmt.Errorf(
				"replacing pool %s drains its nodes through the cluster's Kubernetes API, which does not answer: %w: nothing was changed, the old pool is not deleted undrained", oldName, err)}
		}
	}

	created, _, err := r.run(ctx, a, r.createPool(repl))
	if err != nil {
		return Failed, "", err
	}
	if old == nil {
		if created == Skipped {
			return Skipped, "already-replaced", nil
		}
		return Done, "", nil
	}
	if c, err = r.observe(ctx); err != nil {
		return Failed, "", err
	}
	old, np = findPool(c, oldName), findPool(c, repl.Name)
	if np == nil {
		return Failed, "", &cloud.NotFoundError{Resource: "pool", ID: r.name() + "/" + repl.Name}
	}
	if old != nil {
		if nodes := toDrain(old, np); len(nodes) > 0 {
			t := DrainTarget{Region: r.ref.Region, ClusterID: c.ID, Pool: oldName}
			if o, why, err := r.retire(ctx, a, t, old, np, nodes); o != Done {
				return o, why, err
			}
		}
	}
	if _, _, err := r.run(ctx, a, r.deletePool(oldName)); err != nil {
		return Failed, "", err
	}
	return Done, "", nil
}

// toDrain lists the old pool's nodes still to cordon and drain: none once the pool carries the
// drained mark for np, or while it is being deleted.
func toDrain(old, np *cloud.Pool) []string {
	if old.Status == "deleting" || (np != nil && slices.Contains(old.Tags, plan.DrainedTag(np.ID))) {
		return nil
	}
	var out []string
	for _, n := range old.Nodes {
		if n.Status != "deleting" {
			out = append(out, n.Name)
		}
	}
	return out
}

// retire waits for the new pool's nodes in Kubernetes, cordons every old node, marks the old
// pool replaced-by, drains, and marks it drained. Done means the old pool may be deleted.
func (r *clusterRun) retire(ctx context.Context, a plan.Action, t DrainTarget, old, np *cloud.Pool, nodes []string) (Outcome, string, error) {
	d, rp := r.e.Drainer, a.Payload.Replace
	if d == nil {
		return Failed, "", &cloud.TerminalError{Reason: "no_kubernetes_access",
			Err: fmt.Errorf("pool %s has %d node(s) to drain and no drainer is configured: not deleting it", old.Name, len(nodes))}
	}
	if err := r.reinstate(ctx, a, t, np); err != nil {
		return Failed, "", err
	}
	for _, n := range np.Nodes {
		if n.Status == "deleting" {
			continue
		}
		if err := d.WaitNodeReady(ctx, t, n.Name, r.e.timeout(a.Type)); err != nil {
			return Failed, "", fmt.Errorf("new pool %s: node %s: %w", np.Name, n.Name, err)
		}
	}
	r.progress(a, fmt.Sprintf("%s: pool %s ready in Kubernetes; cordoning the %d node(s) of pool %s", a.ID, np.Name, len(nodes), old.Name))
	for _, n := range nodes {
		if err := d.Cordon(ctx, t, n); err != nil {
			return Failed, "", fmt.Errorf("cordon node %s: %w", n, err)
		}
	}
	if err := r.markPool(ctx, a, old.Name, plan.ReplacedByTag(np.ID)); err != nil {
		return Failed, "", err
	}
	if o, why, err := r.drainNodes(ctx, a, t, nodes, rp); o != Done {
		return o, why, err
	}
	if err := r.markPool(ctx, a, old.Name, plan.DrainedTag(np.ID)); err != nil {
		return Failed, "", err
	}
	return Done, "", nil
}

// drainNodes drains nodes, at most rp.Budget at once, starting none at or after rp.WindowEnd.
// A drain held under skip makes the action skipped, under abort failed; every other error fails
// it. Drains already started run to their end.
func (r *clusterRun) drainNodes(ctx context.Context, a plan.Action, t DrainTarget, nodes []string, rp *plan.PoolReplacement) (Outcome, string, error) {
	clk := r.e.clock()
	pol := DrainPolicy{Timeout: rp.DrainTimeout, OnTimeout: rp.OnDrainTimeout}
	sem := make(chan struct{}, max(rp.Budget, 1))
	var (
		mu      sync.Mutex
		errs    []error
		wg      sync.WaitGroup
		started int
	)
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return len(errs) > 0 }
	closed := false
	for _, n := range nodes {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || failed() {
			break
		}
		if !rp.WindowEnd.IsZero() && !clk.Now().Before(rp.WindowEnd) {
			<-sem
			closed = true
			break
		}
		started++
		r.progress(a, fmt.Sprintf("%s: draining node %s (%d/%d)", a.ID, n, started, len(nodes)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := r.e.Drainer.Drain(ctx, t, n, pol); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Failed, "", err
	}
	var held *DrainHeldError
	for _, err := range errs {
		if !errors.As(err, &held) {
			return Failed, "", fmt.Errorf("drain pool %s: %w", t.Pool, err)
		}
	}
	if held != nil {
		if held.OnTimeout == "abort" {
			return Failed, "", fmt.Errorf("replacement of pool %s aborted: %w; the old pool is kept, its nodes cordoned", t.Pool, held)
		}
		return Skipped, fmt.Sprintf("drain-timeout: %s; pool %s is kept, its nodes cordoned, until a later run drains it", held.Reason, t.Pool), nil
	}
	if closed {
		return Skipped, fmt.Sprintf("window-closed: the upgrade window closed at %s with %d of %d node(s) of pool %s drained; the rest (cordoned) wait for the next opening",
			rp.WindowEnd.UTC().Format(time.RFC3339), started, len(nodes), t.Pool), nil
	}
	return Done, "", nil
}

// reinstate undoes an earlier retirement of the pool that now takes the workloads (the spec went
// back to it while it was being replaced): its nodes are uncordoned and its replaced-by and
// drained marks removed, before the other pool's nodes are cordoned.
func (r *clusterRun) reinstate(ctx context.Context, a plan.Action, t DrainTarget, np *cloud.Pool) error {
	marked := func(tag string) bool {
		return strings.HasPrefix(tag, plan.ReplacedByTagPrefix) || strings.HasPrefix(tag, plan.DrainedTagPrefix)
	}
	if !slices.ContainsFunc(np.Tags, marked) {
		return nil
	}
	r.progress(a, fmt.Sprintf("%s: pool %s was being retired; uncordoning its nodes", a.ID, np.Name))
	for _, n := range np.Nodes {
		if n.Status == "deleting" {
			continue
		}
		if err := r.e.Drainer.Uncordon(ctx, t, n.Name); err != nil {
			return fmt.Errorf("uncordon node %s of pool %s: %w", n.Name, np.Name, err)
		}
	}
	_, _, err := r.run(ctx, a, step{
		what: fmt.Sprintf("pool %s/%s to lose its retirement marks", r.name(), np.Name),
		check: func(c *cloud.Cluster) (bool, string, error) {
			p := findPool(c, np.Name)
			if p == nil {
				return false, "", &cloud.NotFoundError{Resource: "pool", ID: r.name() + "/" + np.Name}
			}
			return !slices.ContainsFunc(p.Tags, marked), "already-unmarked", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			p := findPool(c, np.Name)
			tags := slices.DeleteFunc(slices.Clone(p.Tags), marked)
			if _, err := r.e.Provider.UpdatePool(ctx, r.ref.Region, p.ID, cloud.PoolUpdate{Tags: &tags}); err != nil {
				return fmt.Errorf("untag pool %q: %w", np.Name, err)
			}
			return nil
		},
	})
	return err
}

// markPool adds tag to the pool's tags (a PATCH of its tags, keeping the others), unless it is
// there already.
func (r *clusterRun) markPool(ctx context.Context, a plan.Action, pool, tag string) error {
	_, _, err := r.run(ctx, a, step{
		what: fmt.Sprintf("pool %s/%s to carry %s", r.name(), pool, tag),
		check: func(c *cloud.Cluster) (bool, string, error) {
			p := findPool(c, pool)
			if p == nil {
				return false, "", &cloud.NotFoundError{Resource: "pool", ID: r.name() + "/" + pool}
			}
			return slices.Contains(p.Tags, tag), "already-tagged", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			p := findPool(c, pool)
			tags := append(slices.Clone(p.Tags), tag)
			if _, err := r.e.Provider.UpdatePool(ctx, r.ref.Region, p.ID, cloud.PoolUpdate{Tags: &tags}); err != nil {
				return fmt.Errorf("tag pool %q %s: %w", pool, tag, err)
			}
			return nil
		},
	})
	return err
}

// progress reports a step of a long action.
func (r *clusterRun) progress(a plan.Action, msg string) {
	r.e.log().Info(msg, "cluster", r.cp.Name)
	r.e.emit(Event{Kind: EventWaiting, Cluster: r.cp.Name, ActionID: a.ID, Type: a.Type, Status: "replacing", Message: msg})
}
