package drain

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
)

// Taints that keep a node from counting as ready.
const (
	TaintNotReady    = "node.kubernetes.io/not-ready"
	TaintUnreachable = "node.kubernetes.io/unreachable"
)

// WaitNodeReady polls until node exists, its Ready condition is True and it
// carries neither the not-ready nor the unreachable taint, or until timeout
// (then *NodeNotReadyError with the last state seen).
func (d *Drainer) WaitNodeReady(ctx context.Context, node string, timeout time.Duration) error {
	o := d.opts()
	clk := d.clock()
	start := clk.Now()
	for {
		cctx, cancel := d.callCtx(ctx)
		n, err := d.Client.CoreV1().Nodes().Get(cctx, node, metav1.GetOptions{})
		cancel()
		var state string
		switch {
		case err == nil:
			state = NodeNotReadyReason(n)
			if state == "" {
				d.emit(ctx, Event{Type: EventNodeReady, Node: node})
				return nil
			}
		case ctx.Err() != nil:
			return fmt.Errorf("wait for node %q: %w", node, ctx.Err())
		case apierrors.IsNotFound(err):
			state = "not found"
		case !retryable(err):
			return fmt.Errorf("wait for node %q: %w", node, err)
		default:
			state = "get: " + statusMessage(err)
		}
		elapsed := clk.Since(start)
		if elapsed >= timeout {
			return &NodeNotReadyError{Node: node, Timeout: timeout, State: state}
		}
		if err := backoff.Sleep(ctx, clk, min(o.PollInterval, timeout-elapsed)); err != nil {
			return fmt.Errorf("wait for node %q: %w", node, err)
		}
	}
}

// NodeNotReadyReason says why n does not count as ready, or "" when it does.
func NodeNotReadyReason(n *corev1.Node) string {
	ready := "no Ready condition"
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			ready = "Ready=" + string(c.Status)
			if c.Status == corev1.ConditionTrue {
				ready = ""
			}
		}
	}
	if ready != "" {
		return ready
	}
	for _, t := range n.Spec.Taints {
		if t.Key == TaintNotReady || t.Key == TaintUnreachable {
			return "tainted " + t.Key
		}
	}
	return ""
}
