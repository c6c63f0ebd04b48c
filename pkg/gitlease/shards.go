package gitlease

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
	"github.com/scaleway-gitops/reconciler/pkg/shard/shardrun"
)

// MemberRef is member slot i of a spec branch's shard group: a replica holds one slot (a lease)
// while it takes part, so the others know how many share the shards.
func MemberRef(branch string, i int) string {
	return "refs/reconciler/shard-member/" + branch + "/" + strconv.Itoa(i)
}

// ShardSet shares the shard leases ShardRef(branch, 0..Shards-1) among replicas without
// Kubernetes (run --shards N without --shard-id): each replica holds a member slot
// (MemberRef(branch, 0..Shards-1); a replica without one stands by), takes free or expired shards
// up to its fair share (shard.Balance), renews them, and gives up its surplus when replicas join.
// Store, Branch, Holder and Count are required. It implements runner.Sharding.
type ShardSet struct {
	Store    Store
	Branch   string
	Holder   string
	Count    int           // of shards
	Duration time.Duration // of every lease (default DefaultDuration); a round every Duration/3
	Clock    clock.WithTicker
	Log      *slog.Logger
	// OnChange, when set, is called after a round that changed the shards held. It must not block.
	OnChange func()

	once    sync.Once
	shards  []*Lease
	members []*Lease
	mu      sync.Mutex
	drain   map[int]time.Time // shards given up: released at that time
	rounds  int
}

var _ runner.Sharding = (*ShardSet)(nil)

func (s *ShardSet) init() {
	s.once.Do(func() {
		for k := range s.Count {
			s.shards = append(s.shards, s.lease(ShardRef(s.Branch, k)))
			s.members = append(s.members, s.lease(MemberRef(s.Branch, k)))
		}
		s.drain = map[int]time.Time{}
	})
}

func (s *ShardSet) lease(ref string) *Lease {
	return &Lease{Store: s.Store, Ref: ref, Holder: s.Holder, Duration: s.Duration, Clock: s.Clock, Log: s.Log}
}

func (s *ShardSet) clock() clock.WithTicker {
	if s.Clock == nil {
		return clock.RealClock{}
	}
	return s.Clock
}

func (s *ShardSet) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Shards is the set held now: shards whose lease this process holds (Lease.Leading: with more
// than the margin left) and is not giving up.
func (s *ShardSet) Shards() shard.Set {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	set := shard.Set{Count: s.Count}
	for k, l := range s.shards {
		if _, giving := s.drain[k]; !giving && l.Leading() {
			set.Held = append(set.Held, k)
		}
	}
	return set
}

// Run takes part until ctx is done, a round at once and every Duration/3; then it releases its
// shards and its member slot (within 10 s). Call it after the loop returned.
func (s *ShardSet) Run(ctx context.Context) error {
	s.init()
	return shardrun.Rounds{Clock: s.clock(), Period: s.shards[0].duration() / 3, Held: s.Shards, Round: s.Round,
		Release: s.ReleaseAll, Log: s.log(), Who: slog.String("holder", s.Holder), OnChange: s.OnChange}.Run(ctx)
}

// Round renews or takes a member slot, reads who holds every slot and shard, and renews, takes
// or gives up shards as shard.Balance says.
func (s *ShardSet) Round(ctx context.Context) error {
	s.init()
	now := s.clock().Now()
	members, mine, err := s.membership(ctx, now)
	if err != nil || mine < 0 {
		return err // standing by: every slot is taken
	}
	holders := make([]string, s.Count)
	for k, l := range s.shards {
		rec, err := Holding(ctx, s.Store, l.Ref, now)
		if err != nil {
			return err
		}
		if rec != nil {
			holders[k] = rec.Holder
			if rec.Holder != s.Holder && rec.Expires.Sub(now) > l.maxAhead() {
				// Never taken over (one writer), but its clusters have nobody to reconcile them.
				s.log().WarnContext(ctx, "shard lease", "err", &ImplausibleError{Ref: l.Ref, Record: *rec, Max: l.maxAhead()})
			}
		}
	}
	s.mu.Lock()
	s.rounds++
	first := s.rounds == 1
	s.mu.Unlock()
	h := fnv.New32a()
	h.Write([]byte(s.Holder))
	keep, acquire, release := shard.Balance(holders, s.Holder, members, int(h.Sum32()%uint32(s.Count)))
	if first {
		acquire = nil // see the members first: replicas started together then share at once
	}
	var errs []error
	for _, k := range release {
		errs = append(errs, s.giveUp(ctx, k, now))
	}
	for _, k := range append(keep, acquire...) {
		s.mu.Lock()
		delete(s.drain, k)
		s.mu.Unlock()
		if _, err := s.shards[k].Try(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// membership renews this process's member slot, or takes the first free one, and counts the
// live members; mine is -1 when every slot is someone else's.
func (s *ShardSet) membership(ctx context.Context, now time.Time) (members, mine int, err error) {
	mine = -1
	for i, l := range s.members {
		if mine >= 0 {
			if l.Leading() { // a second slot: one is enough
				if err := l.Release(ctx); err != nil {
					return 0, -1, err
				}
			}
			continue
		}
		ok, err := l.Try(ctx) // renews ours, takes a free one, leaves another's
		if ie := (*ImplausibleError)(nil); errors.As(err, &ie) {
			s.log().WarnContext(ctx, "member slot", "err", err) // someone else's, as before: counted below
		} else if err != nil {
			return 0, -1, err
		}
		if ok {
			mine = i
		}
	}
	for _, l := range s.members {
		rec, err := Holding(ctx, s.Store, l.Ref, now)
		if err != nil {
			return 0, -1, err
		}
		if rec != nil {
			members++
		}
	}
	return max(members, 1), mine, nil
}

// giveUp stops working on shard k at once and releases its lease once no pass of ours can still
// be writing to it (after the lease's margin, the time a holder that cannot renew keeps leading);
// until then it keeps renewing, so nobody takes it early.
func (s *ShardSet) giveUp(ctx context.Context, k int, now time.Time) error {
	l := s.shards[k]
	s.mu.Lock()
	until, giving := s.drain[k]
	if !giving {
		until = now.Add(l.margin())
		s.drain[k] = until
		s.log().Info("giving up shard", "ref", l.Ref, "holder", s.Holder)
	}
	s.mu.Unlock()
	if now.Before(until) {
		_, err := l.Try(ctx)
		return err
	}
	s.mu.Lock()
	delete(s.drain, k)
	s.mu.Unlock()
	return l.Release(ctx)
}

// ReleaseAll releases every shard and the member slot this process holds.
func (s *ShardSet) ReleaseAll(ctx context.Context) error {
	s.init()
	var errs []error
	for _, l := range append(slices.Clone(s.shards), s.members...) {
		if err := l.Release(ctx); err != nil {
			errs = append(errs, fmt.Errorf("release %s: %w", l.Ref, err))
		}
	}
	return errors.Join(errs...)
}
