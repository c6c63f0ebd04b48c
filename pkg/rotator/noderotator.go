package rotator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// NodeRotator is the Rotator behind apply's NodeRotator interface: the executor hands it one
// rotate-node action at a time, in plan order. A cluster's Drainer (and so its kubeconfig and
// client) is built once and reused by the following actions for DrainerTTL. Outcomes map to
// what the executor reports:
//   - done: nil;
//   - skipped (drain timed out, onDrainTimeout skip): *apply.RotationSkippedError, whose reason
//     names the blocking PodDisruptionBudgets; the action is skipped, the cluster not failed;
//   - aborted (onDrainTimeout abort): *apply.RotationAbortedError; the executor stops the
//     pool's remaining rotate-node actions;
//   - failed: the error, wrapping the cause (transient or not).
type NodeRotator struct {
	Rotator *Rotator
	// DrainerTTL is how long a cluster's Drainer is reused (default 15m): long enough for a
	// pass, short enough that a rotated kubeconfig is picked up by the next.
	DrainerTTL time.Duration

	mu       sync.Mutex
	drainers map[string]cachedDrainer // by cluster ID
}

type cachedDrainer struct {
	d    Drainer
	made time.Time
}

var _ apply.NodeRotator = (*NodeRotator)(nil)

// RotateNode drains, replaces and waits for one node (see the type's doc for outcomes).
func (n *NodeRotator) RotateNode(ctx context.Context, req apply.RotateRequest) error {
	a := req.Action
	if a.Payload.Rotate == nil {
		return fmt.Errorf("action %s carries no node to rotate", a.ID)
	}
	rot := *a.Payload.Rotate
	if err := fillIDs(&rot, req); err != nil {
		return err
	}
	a.Payload.Rotate = &rot
	d, err := n.drainer(ctx, req.Region, rot.ClusterID)
	if err != nil {
		return fmt.Errorf("kubernetes access: %w", err)
	}
	res := n.Rotator.RotateNode(ctx, req.Region, d, a)
	switch res.Outcome {
	case Done:
		return nil
	case Skipped:
		return &apply.RotationSkippedError{Reason: skipReason(res)}
	case Aborted:
		return &apply.RotationAbortedError{Pool: req.Pool, Reason: skipReason(res)}
	}
	if res.Err != nil {
		return res.Err
	}
	return errors.New(res.Message)
}

// fillIDs completes the IDs the rotator needs from the fresh observation, for actions that name
// the pool and node only.
func fillIDs(rot *plan.NodeRotation, req apply.RotateRequest) error {
	c := req.Cluster
	if c == nil {
		return nil
	}
	rot.ClusterID = cmp.Or(rot.ClusterID, c.ID)
	rot.Node = cmp.Or(rot.Node, req.Node)
	if rot.PoolID != "" && rot.NodeID != "" {
		return nil
	}
	for _, p := range c.Pools {
		if p.Name != req.Pool && p.ID != rot.PoolID {
			continue
		}
		rot.PoolID = p.ID
		for _, nd := range p.Nodes {
			if nd.Name == rot.Node || nd.ID == rot.Node {
				rot.NodeID, rot.Node = nd.ID, nd.Name
			}
		}
	}
	if rot.NodeID == "" {
		// Already replaced (or never there): the rotator reports it done.
		rot.NodeID = "absent:" + rot.Node
	}
	if rot.PoolID == "" {
		return &cloud.NotFoundError{Resource: "pool", ID: req.Pool}
	}
	return nil
}

// skipReason says why a node was left alone, naming the blocking PodDisruptionBudgets (or, when
// none is known, the drain's own message).
func skipReason(res Result) string {
	if res.Drain != nil && len(res.Drain.Blocking) > 0 {
		return fmt.Sprintf("drain-timeout: node %s blocked by PodDisruptionBudget %s; uncordoned", res.Node, strings.Join(res.Drain.Blocking, ", "))
	}
	return fmt.Sprintf("drain-timeout: node %s: %s; uncordoned", res.Node, res.Message)
}

// drainer returns the cluster's Drainer, building it from the kubeconfig the API gives when
// there is none or it is older than DrainerTTL.
func (n *NodeRotator) drainer(ctx context.Context, region, clusterID string) (Drainer, error) {
	ttl := cmp.Or(n.DrainerTTL, 15*time.Minute)
	now := n.Rotator.Clock.Now()
	n.mu.Lock()
	c, ok := n.drainers[clusterID]
	n.mu.Unlock()
	if ok && now.Sub(c.made) < ttl {
		return c.d, nil
	}
	d, err := n.Rotator.drainerFor(ctx, region, clusterID)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.drainers == nil {
		n.drainers = map[string]cachedDrainer{}
	}
	n.drainers[clusterID] = cachedDrainer{d: d, made: now}
	return d, nil
}
