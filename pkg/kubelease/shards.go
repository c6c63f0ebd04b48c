package kubelease

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"

	"github.com/scaleway-gitops/reconciler/pkg/shard"
	"github.com/scaleway-gitops/reconciler/pkg/shard/shardrun"
)

// memberGC: a member Lease unrenewed for this many lease durations is deleted by the others.
const memberGC = 10

// GroupLabel marks the Leases of a shard group, shards and members; its value is the group's
// name. One list of it per round tells a replica everything it needs.
const GroupLabel = "reconciler.scaleway.dev/shard-group"

// ShardConfig configures a ShardSet. Client, Namespace and Shards are required.
type ShardConfig struct {
	Client    kubernetes.Interface
	Namespace string
	// Name is the group's: shard K is the Lease "<Name>-shard-K"; each replica keeps a member
	// Lease "<Name>-member-<hash of its identity>" so the others know how many share the work.
	Name     string
	Shards   int
	Identity string // default NewIdentity()
	// LeaseDuration, RenewDeadline and RetryPeriod mean what they mean for an Elector: a shard
	// whose holder stopped renewing is taken after LeaseDuration; the holder stops working on it
	// RenewDeadline after its last renewal; every RetryPeriod a replica renews and looks for work.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	Log                                       *slog.Logger
	// OnChange, when set, is called after a round that changed the shards held. It must not block.
	OnChange func()
	Clock    clock.WithTicker // default: the real clock
}

// ShardSet holds some of a group's shard Leases: it renews those it holds, takes free or expired
// ones up to its fair share (shard.Balance), and gives up its surplus when replicas join. It
// implements runner.Sharding.
type ShardSet struct {
	cfg   ShardConfig
	start int // first shard this replica looks at

	mu     sync.Mutex
	slots  []slot
	rounds int
}

// slot is what this replica knows of one shard's Lease.
type slot struct {
	seen       string    // holder and renew time last read
	seenAt     time.Time // when seen last changed (expiry is judged on our clock, as client-go does)
	holder     string
	renewed    time.Time // when our last successful write of our record began; zero: not ours
	drainUntil time.Time // non-zero: given up, released once no pass of ours can still be writing
}

// NewShards checks cfg. It does no I/O.
func NewShards(cfg ShardConfig) (*ShardSet, error) {
	if cfg.Client == nil || cfg.Namespace == "" || cfg.Shards < 1 {
		return nil, errors.New("kubelease: Client, Namespace and Shards are required")
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	cfg.LeaseDuration = cmpOr(cfg.LeaseDuration, DefaultLeaseDuration)
	cfg.RenewDeadline = cmpOr(cfg.RenewDeadline, DefaultRenewDeadline)
	cfg.RetryPeriod = cmpOr(cfg.RetryPeriod, DefaultRetryPeriod)
	if !(cfg.LeaseDuration > cfg.RenewDeadline && float64(cfg.RenewDeadline) > 1.2*float64(cfg.RetryPeriod)) {
		return nil, fmt.Errorf("kubelease: want lease duration > renew deadline > 1.2 × retry period (%s, %s, %s)",
			cfg.LeaseDuration, cfg.RenewDeadline, cfg.RetryPeriod)
	}
	if cfg.Identity == "" {
		id, err := NewIdentity()
		if err != nil {
			return nil, err
		}
		cfg.Identity = id
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	h := fnv.New32a()
	h.Write([]byte(cfg.Identity))
	return &ShardSet{cfg: cfg, start: int(h.Sum32() % uint32(cfg.Shards)), slots: make([]slot, cfg.Shards)}, nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Identity is this replica's holder identity.
func (s *ShardSet) Identity() string { return s.cfg.Identity }

// LeaseName is the Lease of shard k.
func (s *ShardSet) LeaseName(k int) string { return s.cfg.Name + "-shard-" + strconv.Itoa(k) }

func (s *ShardSet) memberName() string {
	h := fnv.New32a()
	h.Write([]byte(s.cfg.Identity))
	return fmt.Sprintf("%s-member-%08x", s.cfg.Name, h.Sum32())
}

// Shards is the set held now: shards whose Lease this replica renewed within RenewDeadline and
// is not giving up. Another replica takes a shard only after its Lease went unrenewed for
// LeaseDuration, so a shard is never held by two.
func (s *ShardSet) Shards() shard.Set {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heldLocked()
}

func (s *ShardSet) heldLocked() shard.Set {
	set := shard.Set{Count: s.cfg.Shards}
	now := s.cfg.Clock.Now()
	for k, sl := range s.slots {
		if !sl.renewed.IsZero() && sl.drainUntil.IsZero() && now.Sub(sl.renewed) < s.cfg.RenewDeadline {
			set.Held = append(set.Held, k)
		}
	}
	return set
}

// Leading reports whether this replica holds a shard (runner.Leadership).
func (s *ShardSet) Leading() bool { return len(s.Shards().Held) > 0 }

// Run takes part until ctx is done: a round at once and every RetryPeriod. Then it releases the
// shards it holds and its membership (within 10 s) and returns. Call it after the loop returned.
func (s *ShardSet) Run(ctx context.Context) error {
	return shardrun.Rounds{Clock: s.cfg.Clock, Period: s.cfg.RetryPeriod, Held: s.Shards, Round: s.round,
		Release: s.releaseAll, Log: s.cfg.Log, Who: slog.String("identity", s.cfg.Identity), OnChange: s.cfg.OnChange}.Run(ctx)
}

// round reads the group's Leases (one list), renews the membership, counts the live members,
// and renews, takes or gives up shards as shard.Balance says.
func (s *ShardSet) round(ctx context.Context) error {
	leases := s.cfg.Client.CoordinationV1().Leases(s.cfg.Namespace)
	list, err := leases.List(ctx, metav1.ListOptions{LabelSelector: GroupLabel + "=" + s.cfg.Name})
	if err != nil {
		return fmt.Errorf("list leases: %w", err)
	}
	byName := map[string]*coordinationv1.Lease{}
	for i := range list.Items {
		byName[list.Items[i].Name] = &list.Items[i]
	}
	if err := s.heartbeat(ctx, byName[s.memberName()], s.cfg.LeaseDuration); err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	members := 1 // this replica
	for name, l := range byName {
		if name == s.memberName() || !strings.HasPrefix(name, s.cfg.Name+"-member-") {
			continue
		}
		switch {
		case live(l.Spec, now):
			members++
		case l.Spec.RenewTime == nil || now.Sub(l.Spec.RenewTime.Time) > memberGC*s.cfg.LeaseDuration:
			// A replica that died long ago: its member Lease goes (only if unchanged since read).
			rv := l.ResourceVersion
			_ = leases.Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &rv}})
		}
	}
	current := make([]*coordinationv1.Lease, s.cfg.Shards)
	holders := make([]string, s.cfg.Shards)
	for k := range s.cfg.Shards {
		current[k] = byName[s.LeaseName(k)]
		holders[k] = s.observe(k, current[k])
	}
	s.mu.Lock()
	s.rounds++
	first := s.rounds == 1
	s.mu.Unlock()
	keep, acquire, release := shard.Balance(holders, s.cfg.Identity, members, s.start)
	if first {
		acquire = nil // see the members first: replicas started together then share at once
	}
	var errs []error
	for _, k := range release {
		errs = append(errs, s.giveUp(ctx, k, current[k]))
	}
	for _, k := range keep {
		s.mu.Lock()
		s.slots[k].drainUntil = time.Time{}
		s.mu.Unlock()
		errs = append(errs, s.write(ctx, k, current[k]))
	}
	for _, k := range acquire {
		errs = append(errs, s.write(ctx, k, current[k]))
	}
	return errors.Join(errs...)
}

// live reports whether a member Lease was renewed within its duration (its own clock: members
// only count replicas, they guard nothing).
func live(spec coordinationv1.LeaseSpec, now time.Time) bool {
	if spec.RenewTime == nil || spec.LeaseDurationSeconds == nil || spec.HolderIdentity == nil || *spec.HolderIdentity == "" {
		return false
	}
	return now.Before(spec.RenewTime.Add(time.Duration(*spec.LeaseDurationSeconds) * time.Second))
}

// observe records what shard k's Lease says and returns its live holder: ours, another
// replica's whose record changed within LeaseDuration (on our clock), or "" (free or expired).
func (s *ShardSet) observe(k int, l *coordinationv1.Lease) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := &s.slots[k]
	now := s.cfg.Clock.Now()
	holder, seen := "", "absent"
	if l != nil {
		holder = ptr.Deref(l.Spec.HolderIdentity, "")
		seen = holder + "@" + l.ResourceVersion
	}
	if seen != sl.seen {
		sl.seen, sl.seenAt = seen, now
	}
	sl.holder = holder
	if holder != s.cfg.Identity {
		sl.renewed, sl.drainUntil = time.Time{}, time.Time{} // not ours (any more)
	}
	switch {
	case holder == "" || holder == s.cfg.Identity:
		return holder
	case now.Sub(sl.seenAt) < s.cfg.LeaseDuration:
		return holder
	}
	return "" // expired: its holder stopped renewing
}

// write renews shard k's Lease, or takes it; a conflict (another replica wrote first) is not
// an error: the next round reads who won.
func (s *ShardSet) write(ctx context.Context, k int, cur *coordinationv1.Lease) error {
	leases := s.cfg.Client.CoordinationV1().Leases(s.cfg.Namespace)
	began := s.cfg.Clock.Now()
	now := metav1.NewMicroTime(began)
	var err error
	if cur == nil {
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: s.LeaseName(k), Namespace: s.cfg.Namespace, Labels: map[string]string{GroupLabel: s.cfg.Name}},
			Spec:       s.spec(now, now, 0),
		}, metav1.CreateOptions{})
	} else {
		next := cur.DeepCopy()
		acquired, transitions := now, ptr.Deref(cur.Spec.LeaseTransitions, 0)
		if ptr.Deref(cur.Spec.HolderIdentity, "") == s.cfg.Identity {
			acquired = ptr.Deref(cur.Spec.AcquireTime, now)
		} else {
			transitions++
		}
		next.Spec = s.spec(acquired, now, transitions)
		_, err = leases.Update(ctx, next, metav1.UpdateOptions{})
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write lease %s: %w", s.LeaseName(k), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slots[k].renewed.IsZero() {
		s.cfg.Log.Info("shard acquired", "lease", s.LeaseName(k), "identity", s.cfg.Identity)
	}
	s.slots[k].renewed = began
	return nil
}

func (s *ShardSet) spec(acquired, renewed metav1.MicroTime, transitions int32) coordinationv1.LeaseSpec {
	return coordinationv1.LeaseSpec{
		HolderIdentity:       ptr.To(s.cfg.Identity),
		LeaseDurationSeconds: ptr.To(int32(max(1, s.cfg.LeaseDuration.Round(time.Second)/time.Second))),
		AcquireTime:          &acquired,
		RenewTime:            &renewed,
		LeaseTransitions:     ptr.To(transitions),
	}
}

// giveUp stops working on shard k at once and releases it once no pass of ours can still be
// writing to it: after LeaseDuration − RenewDeadline, the margin a crashed holder leaves too.
// Until then it keeps renewing, so nobody takes it early.
func (s *ShardSet) giveUp(ctx context.Context, k int, cur *coordinationv1.Lease) error {
	s.mu.Lock()
	sl := &s.slots[k]
	now := s.cfg.Clock.Now()
	if sl.drainUntil.IsZero() {
		sl.drainUntil = now.Add(s.cfg.LeaseDuration - s.cfg.RenewDeadline)
		s.cfg.Log.Info("giving up shard", "lease", s.LeaseName(k), "identity", s.cfg.Identity)
	}
	due := !now.Before(sl.drainUntil)
	s.mu.Unlock()
	if !due {
		return s.write(ctx, k, cur)
	}
	return s.release(ctx, k, cur)
}

// release writes shard k's Lease free (no holder), so another replica takes it at once.
func (s *ShardSet) release(ctx context.Context, k int, cur *coordinationv1.Lease) error {
	s.mu.Lock()
	s.slots[k].renewed, s.slots[k].drainUntil = time.Time{}, time.Time{}
	s.mu.Unlock()
	if cur == nil || ptr.Deref(cur.Spec.HolderIdentity, "") != s.cfg.Identity {
		return nil
	}
	next := cur.DeepCopy()
	now := metav1.NewMicroTime(s.cfg.Clock.Now())
	next.Spec.HolderIdentity, next.Spec.LeaseDurationSeconds = ptr.To(""), ptr.To(int32(1))
	next.Spec.RenewTime = &now
	_, err := s.cfg.Client.CoordinationV1().Leases(s.cfg.Namespace).Update(ctx, next, metav1.UpdateOptions{})
	if err != nil && !apierrors.IsConflict(err) {
		return fmt.Errorf("release lease %s: %w", s.LeaseName(k), err)
	}
	s.cfg.Log.Info("shard released", "lease", s.LeaseName(k), "identity", s.cfg.Identity)
	return nil
}

// releaseAll stops holding every shard, releases their Leases and ends the membership.
func (s *ShardSet) releaseAll(ctx context.Context) error {
	leases := s.cfg.Client.CoordinationV1().Leases(s.cfg.Namespace)
	var errs []error
	for k := range s.cfg.Shards {
		s.mu.Lock()
		ours := !s.slots[k].renewed.IsZero()
		s.mu.Unlock()
		if !ours {
			continue
		}
		cur, err := leases.Get(ctx, s.LeaseName(k), metav1.GetOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("get lease %s: %w", s.LeaseName(k), err))
			continue
		}
		errs = append(errs, s.release(ctx, k, cur))
	}
	if err := leases.Delete(ctx, s.memberName(), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		errs = append(errs, fmt.Errorf("member lease %s: %w", s.memberName(), err))
	}
	return errors.Join(errs...)
}

// heartbeat writes this replica's member Lease (cur: as last read, nil when absent), live for d.
func (s *ShardSet) heartbeat(ctx context.Context, cur *coordinationv1.Lease, d time.Duration) error {
	leases := s.cfg.Client.CoordinationV1().Leases(s.cfg.Namespace)
	now := metav1.NewMicroTime(s.cfg.Clock.Now())
	spec := coordinationv1.LeaseSpec{HolderIdentity: ptr.To(s.cfg.Identity), RenewTime: &now,
		LeaseDurationSeconds: ptr.To(int32(max(1, d.Round(time.Second)/time.Second)))}
	var err error
	if cur == nil {
		_, err = leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: s.memberName(),
			Namespace: s.cfg.Namespace, Labels: map[string]string{GroupLabel: s.cfg.Name}}, Spec: spec}, metav1.CreateOptions{})
	} else {
		next := cur.DeepCopy()
		next.Spec = spec
		_, err = leases.Update(ctx, next, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("member lease %s: %w", s.memberName(), err)
	}
	return nil
}
