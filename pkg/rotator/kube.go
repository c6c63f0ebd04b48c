package rotator

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/drain"
)

// KubeDrainer is the Drainer of a real cluster: pkg/drain (the only client-go user for drains)
// behind this package's Drainer interface. It keeps no state between calls.
type KubeDrainer struct {
	D *drain.Drainer
}

var _ Drainer = KubeDrainer{}

// Drain drains the node with the pool's timeout and onDrainTimeout; the other drain options
// (polling, backoff, call timeout) are the Drainer's. A skip or an abort comes back wrapping
// ErrDrainSkipped or ErrDrainAborted and the drain's own error (which names the blocking
// PodDisruptionBudgets); the node was uncordoned by the drain.
func (k KubeDrainer) Drain(ctx context.Context, node string, opts DrainOptions) (*DrainReport, error) {
	on, err := drain.ParseOnTimeout(opts.OnTimeout)
	if err != nil {
		return nil, err
	}
	d := *k.D // a copy: the Drainer is a value with no state, the options are per pool
	d.Options.Timeout, d.Options.OnTimeout = opts.Timeout, on
	res, err := d.Drain(ctx, node)
	var rep *DrainReport
	if res != nil {
		rep = &DrainReport{Evicted: len(res.Evicted), Deleted: len(res.Forced), Skipped: len(res.Skipped), Blocking: res.BlockingPDBs}
	}
	switch {
	case err == nil:
		return rep, nil
	case drain.IsAbort(err):
		return rep, fmt.Errorf("%w: %w", ErrDrainAborted, err)
	case drain.IsDrainTimeout(err):
		return rep, fmt.Errorf("%w: %w", ErrDrainSkipped, err)
	}
	return rep, err
}

// Ping checks that the cluster answers (pkg/drain's Ping).
func (k KubeDrainer) Ping(ctx context.Context) error { return k.D.Ping(ctx) }

// Cordon marks the node unschedulable (a pool replacement cordons the whole pool first).
func (k KubeDrainer) Cordon(ctx context.Context, node string) error { return k.D.Cordon(ctx, node) }

// Uncordon makes the node schedulable again.
func (k KubeDrainer) Uncordon(ctx context.Context, node string) error { return k.D.Uncordon(ctx, node) }

// WaitNodeReady waits until the node is registered and Ready (and not tainted not-ready).
func (k KubeDrainer) WaitNodeReady(ctx context.Context, node string, timeout time.Duration) error {
	return k.D.WaitNodeReady(ctx, node, timeout)
}

// KubeDrainerFactory builds KubeDrainers from kubeconfig bytes with the given drain options
// (Timeout and OnTimeout are set per pool at each drain), clock and logger (nil: real clock,
// discard).
func KubeDrainerFactory(opts drain.Options, clk clock.Clock, log *slog.Logger) DrainerFactory {
	return func(kubeconfig []byte) (Drainer, error) {
		d, err := drain.NewForKubeconfig(kubeconfig, opts)
		if err != nil {
			return nil, err
		}
		d.Clock, d.Log = clk, log
		return KubeDrainer{D: d}, nil
	}
}
