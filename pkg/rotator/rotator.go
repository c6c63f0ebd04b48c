package rotator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Drainer is what the rotator needs from Kubernetes for one cluster.
type Drainer interface {
	// Drain cordons the node and evicts its pods within the drain timeout. On timeout it applies
	// the OnTimeout policy: skip and abort uncordon and return an error wrapping ErrDrainSkipped or
	// ErrDrainAborted; force deletes the remaining pods and returns nil.
	Drain(ctx context.Context, node string, opts DrainOptions) (*DrainReport, error)
	// Uncordon makes the node schedulable again.
	Uncordon(ctx context.Context, node string) error
	// WaitNodeReady waits until the node is registered and Ready.
	WaitNodeReady(ctx context.Context, node string, timeout time.Duration) error
}

// DrainOptions are the pool's drain policy.
type DrainOptions struct {
	Timeout   time.Duration
	OnTimeout string // skip | force | abort
}

// DrainReport summarises a drain.
type DrainReport struct {
	Evicted  int
	Deleted  int
	Skipped  int
	Blocking []string // PodDisruptionBudgets (namespace/name) that blocked the drain
}

// Sentinels a Drainer wraps to say how a drain timeout was handled.
var (
	ErrDrainSkipped = errors.New("drain timed out; node skipped")
	ErrDrainAborted = errors.New("drain timed out; pool rotation aborted")
)

// DrainerFactory builds a Drainer from a cluster's kubeconfig.
type DrainerFactory func(kubeconfig []byte) (Drainer, error)

// Outcome values.
const (
	Done    = "done"
	Skipped = "skipped"
	Aborted = "aborted"
	Failed  = "failed"
)

// Result is one rotate-node action's outcome.
type Result struct {
	ActionID string
	Node     string
	NewNode  string
	Outcome  string
	Message  string
	Drain    *DrainReport
	Duration time.Duration
	// Err is the error behind a failed outcome, for errors.Is/As (transient or not).
	Err error
}

// Rotator executes rotate-node actions.
type Rotator struct {
	Provider   cloud.Provider
	NewDrainer DrainerFactory
	Clock      clock.Clock
	Log        *slog.Logger
	// PollInterval between readiness checks; default 5s.
	PollInterval time.Duration
	// ReplaceTimeout bounds waiting for the replacement node; default 20m.
	ReplaceTimeout time.Duration
}

func (r *Rotator) poll() time.Duration {
	if r.PollInterval > 0 {
		return r.PollInterval
	}
	return 5 * time.Second
}

func (r *Rotator) replaceTimeout() time.Duration {
	if r.ReplaceTimeout > 0 {
		return r.ReplaceTimeout
	}
	return 20 * time.Minute
}

func (r *Rotator) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (r *Rotator) drainerFor(ctx context.Context, region, clusterID string) (Drainer, error) {
	kc, err := r.Provider.Kubeconfig(ctx, region, clusterID)
	if err != nil {
		return nil, fmt.Errorf("get kubeconfig: %w", err)
	}
	d, err := r.NewDrainer(kc)
	if err != nil {
		return nil, fmt.Errorf("connect to cluster: %w", err)
	}
	return d, nil
}

// RotateNode drains one node, replaces it and waits for the replacement.
func (r *Rotator) RotateNode(ctx context.Context, region string, d Drainer, a plan.Action) Result {
	start := r.Clock.Now()
	rot := a.Payload.Rotate
	if rot == nil {
		return Result{ActionID: a.ID, Outcome: Failed, Message: "the action carries no node to rotate", Err: fmt.Errorf("action %s carries no node to rotate", a.ID)}
	}
	node, nodeID, poolID, clusterID := rot.Node, rot.NodeID, rot.PoolID, rot.ClusterID
	res := Result{ActionID: a.ID, Node: node}
	var cause error
	finish := func(outcome, msg string) Result {
		res.Outcome, res.Message, res.Duration = outcome, msg, r.Clock.Since(start)
		if outcome == Failed {
			res.Err = cause
			if res.Err == nil {
				res.Err = errors.New(msg)
			}
		}
		r.log().InfoContext(ctx, "rotate node", "action", a.ID, "node", node, "outcome", outcome, "message", msg)
		return res
	}
	before, err := r.poolNodes(ctx, region, clusterID, poolID)
	if err != nil {
		cause = err
		return finish(Failed, err.Error())
	}
	if !slices.ContainsFunc(before, func(n cloud.Node) bool { return n.ID == nodeID }) {
		return finish(Done, "node already replaced")
	}
	if end := rot.WindowEnd; !end.IsZero() && !r.Clock.Now().Before(end) {
		return finish(Skipped, "the rotation window closed at "+end.UTC().Format(time.RFC3339)+"; the node waits for the next opening")
	}
	rep, err := d.Drain(ctx, node, drainOptions(*rot))
	res.Drain = rep
	switch {
	case errors.Is(err, ErrDrainSkipped):
		return finish(Skipped, err.Error())
	case errors.Is(err, ErrDrainAborted):
		return finish(Aborted, err.Error())
	case err != nil:
		// The drainer uncordons on every failure it returns (and keeps a cordon an operator set
		// before): uncordoning again here could undo that operator's cordon.
		cause = fmt.Errorf("drain: %w", err)
		return finish(Failed, cause.Error())
	}
	if err := r.Provider.ReplaceNode(ctx, region, nodeID); err != nil && !cloud.IsNotFound(err) {
		if uerr := d.Uncordon(ctx, node); uerr != nil {
			err = errors.Join(err, fmt.Errorf("uncordon: %w", uerr))
		}
		cause = fmt.Errorf("replace: %w", err)
		return finish(Failed, cause.Error())
	}
	newNode, err := r.waitReplacement(ctx, region, clusterID, poolID, before)
	if err != nil {
		cause = err
		return finish(Failed, err.Error())
	}
	res.NewNode = newNode.Name
	left := r.replaceTimeout() - r.Clock.Since(start)
	if err := d.WaitNodeReady(ctx, newNode.Name, max(left, time.Minute)); err != nil {
		cause = fmt.Errorf("replacement %s not ready in kubernetes: %w", newNode.Name, err)
		return finish(Failed, fmt.Sprintf("replacement %s not ready in kubernetes: %v", newNode.Name, err))
	}
	return finish(Done, fmt.Sprintf("replaced by %s", newNode.Name))
}

// drainOptions are the node's drain timeout and what to do past it, as the plan resolved them
// from the pool's rotation policy (the policy's defaults for an action that names none).
func drainOptions(n plan.NodeRotation) DrainOptions {
	return DrainOptions{Timeout: cmp.Or(n.DrainTimeout, spec.DefaultDrainTimeout),
		OnTimeout: cmp.Or(n.OnDrainTimeout, spec.DefaultOnDrainTimeout)}
}

func (r *Rotator) poolNodes(ctx context.Context, region, clusterID, poolID string) ([]cloud.Node, error) {
	c, err := r.Provider.GetCluster(ctx, region, clusterID)
	if err != nil {
		return nil, fmt.Errorf("observe cluster: %w", err)
	}
	for _, p := range c.Pools {
		if p.ID == poolID {
			return p.Nodes, nil
		}
	}
	return nil, &cloud.NotFoundError{Resource: "pool", ID: poolID}
}

// waitReplacement polls until the pool has a ready node that was not there before and no node
// of the old set is still being deleted... or the timeout passes.
func (r *Rotator) waitReplacement(ctx context.Context, region, clusterID, poolID string, before []cloud.Node) (cloud.Node, error) {
	deadline := r.Clock.Now().Add(r.replaceTimeout())
	known := map[string]bool{}
	for _, n := range before {
		known[n.ID] = true
	}
	for {
		nodes, err := r.poolNodes(ctx, region, clusterID, poolID)
		if err != nil && !cloud.IsTransient(err) {
			return cloud.Node{}, err
		}
		for _, n := range nodes {
			if !known[n.ID] && n.Status == "ready" {
				return n, nil
			}
		}
		if !r.Clock.Now().Before(deadline) {
			return cloud.Node{}, fmt.Errorf("no ready replacement node after %s", r.replaceTimeout())
		}
		if err := backoff.Sleep(ctx, r.Clock, r.poll()); err != nil {
			return cloud.Node{}, err
		}
	}
}
