package rotator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
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
	node, nodeID, poolID, clusterID := nodeName(a), a.Details["node_id"], a.Details["pool_id"], a.Details["cluster_id"]
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
	if we := a.Details["window_end"]; we != "" {
		end, err := time.Parse(time.RFC3339, we)
		if err != nil {
			return finish(Failed, fmt.Sprintf("window end %q: %v", we, err))
		}
		if !r.Clock.Now().Before(end) {
			return finish(Skipped, "the rotation window closed at "+we+"; the node waits for the next opening")
		}
	}
	opts, err := drainOptions(a.Details)
	if err != nil {
		return finish(Failed, err.Error())
	}
	rep, err := d.Drain(ctx, node, opts)
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

func drainOptions(d map[string]string) (DrainOptions, error) {
	o := DrainOptions{Timeout: 30 * time.Minute, OnTimeout: "skip"}
	if v := d["drain_timeout"]; v != "" {
		t, err := time.ParseDuration(v)
		if err != nil {
			return o, fmt.Errorf("drain timeout %q: %w", v, err)
		}
		o.Timeout = t
	}
	if v := d["on_drain_timeout"]; v != "" {
		o.OnTimeout = v
	}
	return o, nil
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

// nodeName is the Kubernetes node name: Details["node"], else the last element of the target
// "node/<cluster>/<pool>/<node>".
func nodeName(a plan.Action) string {
	if n := a.Details["node"]; n != "" {
		return n
	}
	if i := strings.LastIndexByte(a.Target, '/'); i >= 0 {
		return a.Target[i+1:]
	}
	return a.Target
}
