// Package kubedrain adapts pkg/drain to the rotator's Drainer interface, so
// the wiring can pass Factory(...) as rotator.Rotator.NewDrainer. It keeps
// client-go out of pkg/rotator itself.
package kubedrain

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/drain"
	"github.com/scaleway-gitops/reconciler/pkg/rotator"
)

var _ rotator.Drainer = (*Drainer)(nil)

// Drainer is a rotator.Drainer over a *drain.Drainer; the pool's policy
// (timeout, onDrainTimeout) comes with each Drain call and overrides the
// base options.
type Drainer struct {
	Base *drain.Drainer
}

// Factory builds a rotator.DrainerFactory: each cluster's kubeconfig gives a
// drain.Drainer with clk, log and base options (retry, poll, call timeout).
func Factory(clk clock.Clock, log *slog.Logger, base drain.Options) rotator.DrainerFactory {
	return func(kubeconfig []byte) (rotator.Drainer, error) {
		d, err := drain.NewForKubeconfig(kubeconfig, base)
		if err != nil {
			return nil, err
		}
		d.Clock, d.Log = clk, log
		return &Drainer{Base: d}, nil
	}
}

// Drain runs drain.Drainer.Drain under the pool's policy and maps its typed
// errors to the rotator's sentinels (the drain error stays wrapped too).
func (a *Drainer) Drain(ctx context.Context, node string, opts rotator.DrainOptions) (*rotator.DrainReport, error) {
	on, err := drain.ParseOnTimeout(opts.OnTimeout)
	if err != nil {
		return nil, err
	}
	d := *a.Base
	d.Options.Timeout, d.Options.OnTimeout = opts.Timeout, on
	res, err := d.Drain(ctx, node)
	rep := &rotator.DrainReport{
		Evicted:  len(res.Evicted),
		Deleted:  len(res.Forced),
		Skipped:  len(res.Skipped),
		Blocking: res.BlockingPDBs,
	}
	switch {
	case err == nil:
		return rep, nil
	case drain.IsAbort(err):
		return rep, fmt.Errorf("%w: %w", rotator.ErrDrainAborted, err)
	case drain.IsDrainTimeout(err):
		return rep, fmt.Errorf("%w: %w", rotator.ErrDrainSkipped, err)
	default:
		return rep, err
	}
}

// Uncordon makes the node schedulable again.
func (a *Drainer) Uncordon(ctx context.Context, node string) error {
	return a.Base.Uncordon(ctx, node)
}

// WaitNodeReady waits until the node is Ready and untainted.
func (a *Drainer) WaitNodeReady(ctx context.Context, node string, timeout time.Duration) error {
	return a.Base.WaitNodeReady(ctx, node, timeout)
}
