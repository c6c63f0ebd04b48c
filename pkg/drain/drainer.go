package drain

import (
	"context"
	"io"
	"log/slog"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
)

// Drainer drains, cordons and watches the nodes of one cluster. Set the
// fields, then call its methods; it keeps no state between calls, so one
// Drainer may serve concurrent drains of different nodes.
type Drainer struct {
	Client kubernetes.Interface
	// Clock drives backoff, timeouts and polling; nil is the real clock.
	Clock clock.Clock
	// Log receives operator logs; nil discards them.
	Log *slog.Logger
	// OnEvent, when set, is called synchronously for every progress event.
	OnEvent func(Event)
	Options Options
}

func (d *Drainer) opts() Options { return d.Options.withDefaults() }

func (d *Drainer) clock() clock.Clock {
	if d.Clock == nil {
		return clock.RealClock{}
	}
	return d.Clock
}

func (d *Drainer) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return d.Log
}

func (d *Drainer) emit(ctx context.Context, e Event) {
	attrs := []any{"node", e.Node}
	if e.Pod != (PodRef{}) {
		attrs = append(attrs, "pod", e.Pod.String())
	}
	if e.Message != "" {
		attrs = append(attrs, "detail", e.Message)
	}
	d.log().InfoContext(ctx, "drain "+string(e.Type), attrs...)
	if d.OnEvent != nil {
		d.OnEvent(e)
	}
}

// callCtx bounds one API call (see the package doc for why).
func (d *Drainer) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.opts().CallTimeout)
}
