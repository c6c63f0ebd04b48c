package drain

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Cordon marks the node unschedulable. Cordoning a cordoned node is a no-op.
func (d *Drainer) Cordon(ctx context.Context, node string) error {
	_, err := d.setUnschedulable(ctx, node, true)
	return err
}

// Ping checks that the cluster's API answers a list of its nodes (what a drain needs first),
// within one call's timeout.
func (d *Drainer) Ping(ctx context.Context) error {
	cctx, cancel := d.callCtx(ctx)
	defer cancel()
	if _, err := d.Client.CoreV1().Nodes().List(cctx, metav1.ListOptions{Limit: 1}); err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	return nil
}

// Uncordon makes the node schedulable again. Uncordoning a schedulable node
// is a no-op.
func (d *Drainer) Uncordon(ctx context.Context, node string) error {
	_, err := d.setUnschedulable(ctx, node, false)
	return err
}

// setUnschedulable sets spec.unschedulable to v and returns the value it had.
func (d *Drainer) setUnschedulable(ctx context.Context, node string, v bool) (bool, error) {
	verb := "cordon"
	if !v {
		verb = "uncordon"
	}
	cctx, cancel := d.callCtx(ctx)
	defer cancel()
	n, err := d.Client.CoreV1().Nodes().Get(cctx, node, metav1.GetOptions{})
	if err != nil {
		return false, fmt.Errorf("%s node %q: %w", verb, node, err)
	}
	was := n.Spec.Unschedulable
	if was == v {
		return was, nil
	}
	patch := fmt.Appendf(nil, `{"spec":{"unschedulable":%t}}`, v)
	pctx, pcancel := d.callCtx(ctx)
	defer pcancel()
	if _, err := d.Client.CoreV1().Nodes().Patch(pctx, node, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return was, fmt.Errorf("%s node %q: %w", verb, node, err)
	}
	ev := EventCordoned
	if !v {
		ev = EventUncordoned
	}
	d.emit(ctx, Event{Type: ev, Node: node})
	return was, nil
}
