package rotator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
)

// NodeRotator is also apply's PoolDrainer: a replace-pool's waits, cordons and drains go
// through the same per-cluster Drainer (built from the kubeconfig the API gives, reused for
// DrainerTTL) and the same drain (pkg/drain: Eviction API, PodDisruptionBudgets, backoff, the
// pool's drainTimeout and onDrainTimeout) as node rotation.
var _ apply.PoolDrainer = (*NodeRotator)(nil)

// Cordoner is a Drainer that can also cordon a node without draining it (KubeDrainer can): a
// pool replacement cordons every node of the old pool before draining any.
type Cordoner interface {
	Cordon(ctx context.Context, node string) error
}

// Pinger is a Drainer that can check that its cluster answers (KubeDrainer can).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Reachable builds (or reuses) the cluster's Drainer, from the kubeconfig the API gives, and
// checks that the cluster's Kubernetes API answers.
func (n *NodeRotator) Reachable(ctx context.Context, t apply.DrainTarget) error {
	d, err := n.drainer(ctx, t.Region, t.ClusterID)
	if err != nil {
		return fmt.Errorf("kubernetes access: %w", err)
	}
	if p, ok := d.(Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// WaitNodeReady waits until the node is registered and Ready in the cluster.
func (n *NodeRotator) WaitNodeReady(ctx context.Context, t apply.DrainTarget, node string, timeout time.Duration) error {
	d, err := n.drainer(ctx, t.Region, t.ClusterID)
	if err != nil {
		return fmt.Errorf("kubernetes access: %w", err)
	}
	return d.WaitNodeReady(ctx, node, timeout)
}

// Cordon marks the node unschedulable.
func (n *NodeRotator) Cordon(ctx context.Context, t apply.DrainTarget, node string) error {
	d, err := n.drainer(ctx, t.Region, t.ClusterID)
	if err != nil {
		return fmt.Errorf("kubernetes access: %w", err)
	}
	c, ok := d.(Cordoner)
	if !ok {
		return fmt.Errorf("the drainer of cluster %s cannot cordon nodes", t.ClusterID)
	}
	return c.Cordon(ctx, node)
}

// Uncordon makes the node schedulable again.
func (n *NodeRotator) Uncordon(ctx context.Context, t apply.DrainTarget, node string) error {
	d, err := n.drainer(ctx, t.Region, t.ClusterID)
	if err != nil {
		return fmt.Errorf("kubernetes access: %w", err)
	}
	return d.Uncordon(ctx, node)
}

// Drain drains the (already cordoned) node under p. A drain that timed out under skip or abort
// comes back as *apply.DrainHeldError naming the blocking PodDisruptionBudgets; the node stays
// cordoned, since it was cordoned before the drain began.
func (n *NodeRotator) Drain(ctx context.Context, t apply.DrainTarget, node string, p apply.DrainPolicy) error {
	d, err := n.drainer(ctx, t.Region, t.ClusterID)
	if err != nil {
		return fmt.Errorf("kubernetes access: %w", err)
	}
	rep, err := d.Drain(ctx, node, DrainOptions{Timeout: p.Timeout, OnTimeout: p.OnTimeout})
	if errors.Is(err, ErrDrainSkipped) || errors.Is(err, ErrDrainAborted) {
		why := err.Error()
		if rep != nil && len(rep.Blocking) > 0 {
			why = "blocked by PodDisruptionBudget " + strings.Join(rep.Blocking, ", ")
		}
		return &apply.DrainHeldError{Node: node, OnTimeout: p.OnTimeout, Reason: why}
	}
	if err != nil {
		return fmt.Errorf("drain node %s: %w", node, err)
	}
	return nil
}
