package notify

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// Result is what happened to one event for one sink; the values label metrics.
type Result string

// Results.
const (
	Sent        Result = "sent"
	Failed      Result = "failed"
	Dropped     Result = "dropped"      // the queue was full
	RateLimited Result = "rate_limited" // the sink got this key less than the rate limit ago
)

// Options configure a Dispatcher; every field has a default.
type Options struct {
	Clock clock.Clock // default: the real clock
	// Client sends the requests; default: an http.Client with Timeout.
	Client *http.Client
	// Timeout bounds each request (default 10s).
	Timeout time.Duration
	// QueueSize bounds the events waiting to be sent (default 64).
	QueueSize int
	Log       *slog.Logger
	// Getenv and ReadFile read secrets (default os.Getenv, os.ReadFile).
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
	// Source is put in webhook payloads (the repository identity).
	Source string
	// OnResult is called for every event and sink with what happened (metrics); it must not block.
	OnResult func(sink string, r Result)
}

// Dispatcher queues events for the configured sinks and sends them from one worker.
type Dispatcher struct {
	o       Options
	secrets secrets

	mu      sync.Mutex
	cfg     Config
	last    map[string]time.Time // sink + "\x00" + key -> when it was queued
	queue   chan job
	stopped bool
	started bool
	done    chan struct{}
	pending sync.WaitGroup
}

type job struct {
	sink SinkConfig
	ev   Event
}

// New returns a Dispatcher with no sink; Configure gives it some.
func New(o Options) *Dispatcher {
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout}
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 64
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.ReadFile == nil {
		o.ReadFile = os.ReadFile
	}
	return &Dispatcher{o: o, secrets: secrets{getenv: o.Getenv, readFile: o.ReadFile},
		last: map[string]time.Time{}, queue: make(chan job, o.QueueSize), done: make(chan struct{})}
}

// Configure replaces the sinks and limits (a new revision's notify:); rate-limit memory is kept.
func (d *Dispatcher) Configure(c Config) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cfg = c
}

// Config is the configuration in force.
func (d *Dispatcher) Config() Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg
}

// Notify queues ev for every sink that wants it and is not rate-limited for its key. It never
// blocks: with the queue full the event is dropped for that sink.
func (d *Dispatcher) Notify(ev Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	if ev.At.IsZero() {
		ev.At = d.o.Clock.Now()
	}
	now := d.o.Clock.Now()
	for _, s := range d.cfg.Sinks {
		if !s.wants(ev.Kind) {
			continue
		}
		k := s.Name + "\x00" + ev.Key
		if t, ok := d.last[k]; ok && now.Sub(t) < d.cfg.rateLimit() {
			d.result(s.Name, RateLimited)
			continue
		}
		if !d.started {
			d.started = true
			go d.work()
		}
		d.pending.Add(1)
		select {
		case d.queue <- job{sink: s, ev: ev}:
			d.last[k] = now
		default:
			d.pending.Done()
			d.result(s.Name, Dropped)
			d.o.Log.Warn("notification dropped: queue full", "sink", s.Name, "kind", ev.Kind)
		}
	}
}

func (d *Dispatcher) result(sink string, r Result) {
	if d.o.OnResult != nil {
		d.o.OnResult(sink, r)
	}
}

func (d *Dispatcher) work() {
	for {
		select {
		case <-d.done:
			return
		case j := <-d.queue:
			d.deliver(j)
			d.pending.Done()
		}
	}
}

func (d *Dispatcher) deliver(j job) {
	ctx, cancel := context.WithTimeout(context.Background(), d.o.Timeout)
	defer cancel()
	req, err := d.secrets.request(ctx, j.sink, j.ev, d.o.Source)
	if err == nil {
		err = send(d.o.Client, req)
	}
	if err != nil {
		d.result(j.sink.Name, Failed)
		d.o.Log.Warn("notification failed", "sink", j.sink.Name, "kind", j.ev.Kind, "err", err.Error())
		return
	}
	d.result(j.sink.Name, Sent)
	d.o.Log.Info("notification sent", "sink", j.sink.Name, "kind", j.ev.Kind, "key", j.ev.Key)
}

// Flush waits until every queued event was sent or failed, or ctx ends (tests, shutdown).
func (d *Dispatcher) Flush(ctx context.Context) error {
	idle := make(chan struct{})
	go func() { d.pending.Wait(); close(idle) }()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the worker; events still queued are not sent. Notify after Close does nothing.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopped {
		d.stopped = true
		close(d.done)
	}
}
