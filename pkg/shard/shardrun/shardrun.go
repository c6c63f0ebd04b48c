package shardrun

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/shard"
)

// ReleaseTimeout bounds the release after cancellation (the process is shutting down).
const ReleaseTimeout = 10 * time.Second

// Rounds is one group member's loop.
type Rounds struct {
	Clock  clock.WithTicker
	Period time.Duration
	// Held is what the member holds now; Round renews, takes or gives up shards; Release gives
	// up everything (shards and membership).
	Held    func() shard.Set
	Round   func(context.Context) error
	Release func(context.Context) error
	Log     *slog.Logger
	// Who names the member in the "shards held" log line (e.g. slog.String("holder", id)).
	Who slog.Attr
	// OnChange, when set, is called after a round changed the shards held.
	OnChange func()
}

// Run runs a round at once and every Period until ctx is done, then releases (within
// ReleaseTimeout) and returns Release's error. A failed round is logged and retried at the next
// period.
func (r Rounds) Run(ctx context.Context) error {
	for {
		before := r.Held()
		if err := r.Round(ctx); err != nil && ctx.Err() == nil {
			r.Log.Warn("shard round failed", "err", err)
		}
		if after := r.Held(); !slices.Equal(before.Held, after.Held) {
			r.Log.Info("shards held", "shards", after.String(), r.Who)
			if r.OnChange != nil {
				r.OnChange()
			}
		}
		t := r.Clock.NewTimer(r.Period)
		select {
		case <-ctx.Done():
			t.Stop()
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ReleaseTimeout)
			defer cancel()
			return r.Release(rctx)
		case <-t.C():
		}
	}
}
