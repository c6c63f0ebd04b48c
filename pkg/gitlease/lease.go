package gitlease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// Store reads and compare-and-swaps one ref of the repository; *source.Source implements it.
type Store interface {
	ReadRef(ctx context.Context, name string) (source.RefCommit, error)
	SwapRef(ctx context.Context, name, old, message string) (string, error)
}

var _ Store = (*source.Source)(nil)

// DefaultDuration is a lease's lifetime when Lease.Duration is zero.
const DefaultDuration = 60 * time.Second

// Lease is one process's claim on the lease ref. Store, Ref and Holder are required.
type Lease struct {
	Store  Store
	Ref    string // Ref(branch)
	Holder string // NewHolder()
	// Duration is how long a write holds the lease (default DefaultDuration); renewals come
	// every Duration/3.
	Duration time.Duration
	// Margin is how long before the expiry the holder stops leading (default Duration/4).
	Margin time.Duration
	Clock  clock.WithTicker // default clock.RealClock
	Log    *slog.Logger     // default: discard
	// OnAcquire, when set, is called after each write that made this process the holder anew
	// (the loop triggers a tick with it). It must not block.
	OnAcquire func()

	mu   sync.Mutex
	held *Record // the last record we wrote, nil when not holding
	hash string  // its commit
	seen string  // the other holder last logged
}

var _ runner.Leadership = (*Lease)(nil)

func (l *Lease) clock() clock.WithTicker {
	if l.Clock == nil {
		return clock.RealClock{}
	}
	return l.Clock
}

func (l *Lease) log() *slog.Logger {
	if l.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Log
}

func (l *Lease) duration() time.Duration {
	if l.Duration > 0 {
		return l.Duration
	}
	return DefaultDuration
}

func (l *Lease) margin() time.Duration {
	if l.Margin > 0 {
		return l.Margin
	}
	return l.duration() / 4
}

// Leading reports whether this process holds the lease with at least Margin left.
func (l *Lease) Leading() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held != nil && l.clock().Now().Before(l.held.Expires.Add(-l.margin()))
}

// Try reads the lease and, when it is free, expired or ours, writes a new record expiring in
// Duration. It reports whether this process holds the lease now. A write that lost the race drops
// the lease at once; any other error keeps the last record (Leading then ends before its expiry).
func (l *Lease) Try(ctx context.Context) (bool, error) {
	now := l.clock().Now() // before any I/O: the expiry never outlives what the others see
	cur, err := l.Store.ReadRef(ctx, l.Ref)
	if err != nil {
		return false, fmt.Errorf("read lease %s: %w", l.Ref, err)
	}
	acquired := now
	if cur.Hash != "" {
		rec, err := Parse(cur.Message)
		if err != nil {
			l.drop()
			return false, fmt.Errorf("lease %s at %s: %w (delete the ref to free it)", l.Ref, cur.Hash, err)
		}
		if rec.Holder != l.Holder && rec.Live(now) {
			l.drop()
			if ahead := rec.Expires.Sub(now); ahead > l.maxAhead() {
				return false, &ImplausibleError{Ref: l.Ref, Hash: cur.Hash, Record: rec, Ahead: ahead, Max: l.maxAhead()}
			}
			l.noteHeld(ctx, rec)
			return false, nil
		}
		if rec.Holder == l.Holder && rec.Live(now) {
			acquired = rec.Acquired
		}
	}
	rec := Record{Holder: l.Holder, Acquired: acquired, Expires: now.Add(l.duration())}
	h, err := l.Store.SwapRef(ctx, l.Ref, cur.Hash, rec.Message())
	if source.IsPushRejected(err) {
		l.drop()
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write lease %s: %w", l.Ref, err)
	}
	l.mu.Lock()
	anew := l.held == nil
	l.held, l.hash, l.seen = &rec, h, ""
	l.mu.Unlock()
	if anew {
		l.log().InfoContext(ctx, "lease acquired", "ref", l.Ref, "holder", l.Holder, "expires", rec.Expires)
		if l.OnAcquire != nil {
			l.OnAcquire()
		}
	}
	return true, nil
}

// maxAhead is how far ahead of now an honest record's expiry can lie: a renewal sets it
// Duration ahead, and a loop started with a longer --lease-duration stays well within this.
func (l *Lease) maxAhead() time.Duration { return max(10*l.duration(), time.Hour) }

// noteHeld logs, once per holder, that another process holds the lease: a follower says whom
// it waits for.
func (l *Lease) noteHeld(ctx context.Context, rec Record) {
	l.mu.Lock()
	first := l.seen != rec.Holder
	l.seen = rec.Holder
	l.mu.Unlock()
	if first {
		l.log().InfoContext(ctx, "lease held elsewhere", "ref", l.Ref, "holder", rec.Holder, "expires", rec.Expires)
	}
}

func (l *Lease) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held != nil {
		l.log().Info("lease lost", "ref", l.Ref, "holder", l.Holder)
	}
	l.held, l.hash = nil, ""
}

// Release stops leading, then, when this process holds the lease, writes its record expired so
// another process takes over at once. A lost race means it was not ours any more: not an error.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	held, hash := l.held, l.hash
	l.held, l.hash = nil, ""
	l.mu.Unlock()
	if held == nil {
		return nil
	}
	rec := Record{Holder: l.Holder, Acquired: held.Acquired, Expires: l.clock().Now()}
	if _, err := l.Store.SwapRef(ctx, l.Ref, hash, rec.Message()); err != nil && !source.IsPushRejected(err) {
		return fmt.Errorf("release lease %s: %w", l.Ref, err)
	}
	l.log().InfoContext(ctx, "lease released", "ref", l.Ref, "holder", l.Holder)
	return nil
}

// Run tries the lease at once and then every Duration/3 until ctx is done, then releases it
// (within 10 s). Errors are logged and retried at the next round.
func (l *Lease) Run(ctx context.Context) error {
	for {
		if _, err := l.Try(ctx); err != nil && ctx.Err() == nil {
			l.log().WarnContext(ctx, "lease round failed", "ref", l.Ref, "err", err)
		}
		t := l.clock().NewTimer(l.duration() / 3)
		select {
		case <-ctx.Done():
			t.Stop()
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			return l.Release(rctx)
		case <-t.C():
		}
	}
}

// Holding reads the lease ref and returns its record when it is live at now, nil when the ref is
// absent or expired. An unreadable record is an error.
func Holding(ctx context.Context, s Store, ref string, now time.Time) (*Record, error) {
	cur, err := s.ReadRef(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("read lease %s: %w", ref, err)
	}
	if cur.Hash == "" {
		return nil, nil
	}
	rec, err := Parse(cur.Message)
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", ref, err)
	}
	if !rec.Live(now) {
		return nil, nil
	}
	return &rec, nil
}

// ErrHeld is returned (wrapped in *HeldError) when a live lease forbids a write.
var ErrHeld = errors.New("lease held")

// HeldError names who holds the lease.
type HeldError struct {
	Ref    string
	Record Record
}

func (e *HeldError) Error() string { return fmt.Sprintf("%s: lease %s", e.Ref, e.Record) }

func (e *HeldError) Unwrap() error { return ErrHeld }

// ImplausibleError says the lease is held by a record whose expiry lies further ahead than any
// renewal sets it: pushed by someone who can write to the repository, or by a clock far ahead.
// It is never taken over (one writer): a person deletes the ref. It wraps ErrHeld.
type ImplausibleError struct {
	Ref, Hash string // Hash: the lease commit, when known
	Record    Record
	Ahead     time.Duration // how far ahead of now the record expires (when known)
	Max       time.Duration // the furthest a renewal reaches
}

func (e *ImplausibleError) Error() string {
	at := ""
	if e.Hash != "" {
		at = " at " + e.Hash
	}
	return fmt.Sprintf("%s%s: lease %s, further ahead than any renewal (at most %s): forged, or written by a clock far ahead; it is never taken over: delete the ref to free it (git push origin :%s)",
		e.Ref, at, e.Record, e.Max, e.Ref)
}

func (e *ImplausibleError) Unwrap() error { return ErrHeld }
