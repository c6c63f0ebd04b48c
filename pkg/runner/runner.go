package runner

import (
	"context"
	"errors"
	"fmt"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/notify"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// GitSource is what the loop needs from the Git side; *source.Source implements it.
type GitSource interface {
	Fetch(ctx context.Context) (*checkout.Checkout, error)
	Commit(ctx context.Context, files map[string][]byte, message string, author source.Author) (string, error)
}

var _ GitSource = (*source.Source)(nil)

// StatusBranchSource is a GitSource that may commit status to another branch than the one it
// reads specs from; *source.Source implements it. When the two differ, the loop reads its
// previous statuses from the status branch (StatusTree), not from the spec checkout.
type StatusBranchSource interface {
	Branch() string
	TargetBranch() string
	StatusTree(ctx context.Context) (*source.TreeFS, error)
}

var _ StatusBranchSource = (*source.Source)(nil)

// Runner is the reconcile loop. Source, Provider and Exec are required.
type Runner struct {
	Source   GitSource
	Provider cloud.Provider
	Exec     *apply.Executor
	Clock    clock.WithTicker // default clock.RealClock
	Log      *slog.Logger     // default: discard
	// Interval between ticks (default 1m), with ±Jitter of it (default 0.1) at random.
	Interval time.Duration
	Jitter   float64
	// DriftInterval is how often live state is observed when Git is quiet (default 10m).
	DriftInterval time.Duration
	// Author of status commits.
	Author source.Author
	// DefaultProjectID and DefaultRegion fill specs that name none.
	DefaultProjectID string
	DefaultRegion    string
	// Leader, when set, decides whether this process may write: apply and commit statuses (one
	// writer). A follower fetches and plans (for /metrics) but never mutates; nil: always leading.
	Leader Leadership
	// Shards, when set, limits the loop to the clusters of the shards this process holds: it
	// observes, plans, applies and writes the status of those only (see Sharding). Holding none,
	// a tick fetches and does nothing else.
	Shards Sharding
	// WaveFactsMaxAge is, with sharding, how long the rollout facts another shard's replica
	// recorded in a status file hold after the pass that checked them (default 2 × (DriftInterval
	// + Interval)): older ones hold the higher waves (rollout.go).
	WaveFactsMaxAge time.Duration
	// LeaseCheck is how often a pass that may mutate checks that it still leads and holds its
	// shards (default DefaultLeaseCheck); it is cancelled as soon as it does not.
	LeaseCheck time.Duration
	// Owner is the repository identity tagged on the clusters it owns; default: the source's
	// (source.Identity of its URL and branch). reconciler.yaml's owner: overrides both.
	Owner string
	// Metrics, when set, is updated after every tick.
	Metrics *Metrics
	// ReadyFailures is how many consecutive failed ticks make the loop not ready (default 3).
	ReadyFailures int
	// Notify, when set, receives a short line for each thing that happened (the demo narrates
	// with it). It must not block.
	Notify func(Event)
	// Rand returns a number in [0,1) for jitter (default math/rand/v2).
	Rand func() float64
	// Lifecycle configures the lifecycle pull requests opened after each pass of the leader
	// (lifecycle.go; nil: the defaults); reconciler.yaml decides whether they are enabled.
	Lifecycle *Lifecycle
	// Alerts sends the alerts of reconciler.yaml's notify: (alerts.go); nil: created when the
	// revision in force lists a sink.
	Alerts    *notify.Dispatcher
	ownAlerts bool

	mu    sync.Mutex // one tick at a time
	state state

	wake     chan string
	wakeOnce sync.Once
	health   readiness
}

// state is what the loop remembers between ticks.
type state struct {
	lastDigest   string // spec digest of the last revision that was loaded (good or bad)
	lastRevision string
	good         *goodRevision
	lastObserve  time.Time
	observedAt   time.Time // the last pass that observed live state (statuses keep its facts on errors)
	retry        bool
	retryAt      time.Time            // after failed ticks, no retry pass before (backoff.go)
	stuckSince   map[string]time.Time // cluster -> since when its work waits on it not being ready (alerts.go)
	failed       *failedRevision
	statuses     map[string][]byte // status path -> last content written or read
	set          *shard.Set        // the shards of the current tick; nil without sharding
	heldKey      string            // set.String() of the last tick
	shardsMoved  bool              // the held shards changed since the last pass
	transition   bool              // the last pass deferred work to a cluster or pool in transition
	// elsewhere is the rollout's view of the other shards' clusters for this tick's pass (nil
	// without sharding); fleetSeen, the fingerprint of their facts the last pass planned with.
	elsewhere *plan.Elsewhere
	fleetSeen string
}

// goodRevision is the last revision that passed validation: it stays in force.
type goodRevision struct {
	checkout *checkout.Checkout
	repo     *spec.Repo
}

// failedRevision is the newest revision that failed validation.
type failedRevision struct {
	revision, digest string
	errors           []string
}

// Event is one thing the loop did, for narration and tests.
type Event struct {
	Kind    string // fetched, skipped, invalid, planned, applied, committed, idle, error
	Message string
}

func (r *Runner) clock() clock.WithTicker {
	if r.Clock == nil {
		return clock.RealClock{}
	}
	return r.Clock
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// notify logs msg (failures at ERROR, everything else at INFO) and tells Notify.
func (r *Runner) notify(kind, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	level := slog.LevelInfo
	if kind == "error" {
		level = slog.LevelError
	}
	r.log().Log(context.Background(), level, msg, "event", kind)
	if r.Notify != nil {
		r.Notify(Event{Kind: kind, Message: msg})
	}
}

func (r *Runner) interval() time.Duration {
	if r.Interval > 0 {
		return r.Interval
	}
	return time.Minute
}

func (r *Runner) driftInterval() time.Duration {
	if r.DriftInterval > 0 {
		return r.DriftInterval
	}
	return 10 * time.Minute
}

// Trigger asks for a tick as soon as possible (a webhook push, a cron window). It never blocks;
// triggers that arrive while one is pending are merged.
func (r *Runner) Trigger(why string) {
	r.init()
	select {
	case r.wake <- why:
	default:
	}
}

// init makes the wake channel. It must not take mu: Trigger is called from webhook requests
// while a tick (which holds mu for the whole pass) may be running.
func (r *Runner) init() {
	r.wakeOnce.Do(func() { r.wake = make(chan string, 1) })
}

// Run ticks until ctx is done: at once, then every interval (with jitter), and whenever
// Trigger is called. A failed tick is logged and retried at the next one.
func (r *Runner) Run(ctx context.Context) error { return r.loop(ctx, nil) }

func (r *Runner) loop(ctx context.Context, afterTick func()) error {
	r.init()
	defer r.closeAlerts()
	why := "start"
	for {
		if _, err := r.Tick(ctx, why); err != nil && ctx.Err() == nil {
			r.notify("error", "tick failed: %v", err)
		}
		if afterTick != nil {
			afterTick()
		}
		t := r.clock().NewTimer(r.jittered())
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case why = <-r.wake:
			t.Stop()
		case <-t.C():
			why = "interval"
		}
	}
}

func (r *Runner) jittered() time.Duration {
	j := r.Jitter
	if j == 0 {
		j = 0.1
	}
	rnd := r.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	d := r.interval()
	return d + time.Duration((rnd()*2-1)*j*float64(d))
}

// TickResult says what one tick did.
type TickResult struct {
	Revision string
	// Planned is true when a pass ran (observe + plan, and apply when needed).
	Planned bool
	// Why a pass ran or was skipped.
	Why string
	// Applied counts actions done by apply.
	Applied int
	// StatusCommit is the status commit pushed, "" when nothing changed.
	StatusCommit string
	// Invalid is set when the fetched revision failed validation.
	Invalid bool
	// Follower is set when another process leads (Runner.Leader): the pass only planned.
	Follower bool
	// PassErr is the pass's observe or plan error: the tick itself succeeded (its statuses say
	// the error) but the pass failed.
	PassErr error
	// Failed lists the clusters whose apply failed or was stale, as "name: state: error".
	Failed []string
	// Deferred counts the actions the final plan left deferred.
	Deferred int
	// Clusters are the per-cluster health values of the pass (nil when it observed nothing).
	Clusters []ClusterHealth
	// Shards are the shards the tick worked on (nil without sharding).
	Shards *shard.Set
	// LeadershipLost is set when the pass was stopped because this process stopped leading or
	// gave up one of its shards: nothing of it was committed.
	LeadershipLost bool

	applied  *apply.Result           // the pass's apply, for alerts
	statuses []*status.ClusterStatus // the statuses written, for alerts
}

// Leadership says whether this process is the one writer now (a lease it holds).
type Leadership interface {
	Leading() bool
}

// TriggerLeading is the Trigger reason a lease gives when this process starts leading: the pass
// runs at once, though it planned as a follower a moment ago.
const TriggerLeading = "leading"

func (r *Runner) leading() bool { return r.Leader == nil || r.Leader.Leading() }

// Tick fetches and, when something calls for it, runs a pass and writes status back.
func (r *Runner) Tick(ctx context.Context, why string) (*TickResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := r.clock().Now()
	res, err := r.tick(ctx, why)
	h := Assess(res, err)
	if h.Pass == PassError && ctx.Err() != nil {
		// The loop is stopping (SIGTERM at a rolling restart): the pass was cut short, not
		// failed. Neither counted nor alerted; the next process runs it again.
		return res, err
	}
	healthy := r.health.record(h)
	if h.Pass == PassError {
		r.backOff(h)
	}
	set := r.state.set
	r.Metrics.observeTick(res, err, tickHealth{Health: h, healthy: healthy, failures: r.ConsecutiveFailures(),
		leading: r.leading() && (set == nil || len(set.Held) > 0), shards: set}, r.clock().Since(start), r.clock().Now())
	r.alert(res, err, h)
	return res, err
}

func (r *Runner) tick(ctx context.Context, why string) (*TickResult, error) {
	co, err := r.Source.Fetch(ctx)
	if err != nil {
		r.state.retry = true
		return nil, fmt.Errorf("fetch: %w", err)
	}
	set := r.held()
	r.state.set = set
	if set != nil {
		if key := set.String(); key != r.state.heldKey {
			// Other shards' holders wrote the statuses of the shards taken now: read them anew.
			r.state.heldKey, r.state.statuses, r.state.shardsMoved = key, nil, true
			r.notify("shards", "%s", holdingMessage(*set))
		}
		if len(set.Held) == 0 {
			// Nothing to plan and nothing to write: a standby replica, healthy.
			return &TickResult{Revision: co.Revision, Why: "no-shard", Planned: true, Follower: true,
				Clusters: []ClusterHealth{}, Shards: set}, nil
		}
	}
	// Before any pass: the deletion check needs the last applied specs the status files record.
	if err := r.loadPreviousStatuses(ctx, co); err != nil {
		r.state.retry = true
		return nil, fmt.Errorf("read previous statuses: %w", err)
	}
	now := r.clock().Now()
	res := &TickResult{Revision: co.Revision, Shards: set}
	facts := r.otherShardsFacts(ctx, co, set)
	reason := r.passReason(co, now, why)
	if reason == "" && facts != nil && r.fleetFingerprint(facts, now) != r.state.fleetSeen {
		reason = "fleet-changed" // another shard's replica recorded new rollout facts
	}
	if reason == "" {
		res.Why = "idle"
		return res, nil
	}
	res.Why = reason
	if co.SpecDigest != r.state.lastDigest {
		r.loadRevision(r.specRevision(co), res)
		if facts == nil {
			facts = r.otherShardsFacts(ctx, co, set) // the new revision may use waves
		}
	}
	r.state.lastDigest, r.state.lastRevision = co.SpecDigest, co.Revision
	r.state.elsewhere, r.state.fleetSeen = r.elsewhere(facts, set), r.fleetFingerprint(facts, now)
	if r.state.good == nil {
		// Nothing valid has ever been seen: report the errors and wait for a new commit.
		return res, r.writeStatuses(ctx, co, nil, res)
	}
	if !r.leading() {
		// A follower plans, for its metrics, and writes nothing; when it leads again it reads the
		// statuses the leader committed meanwhile.
		pass, perr := r.pass(ctx, now, reconcile.ModePlan)
		res.Planned, res.Follower = pass != nil && perr == nil, true
		po := &passOutcome{pass: pass, err: perr}
		res.Deferred, res.Clusters = deferred(pass), clusterHealth(status.Assemble(r.statusPass(po), ownedStatuses(r.previousStatuses(), set)), po)
		r.state.lastObserve, r.state.statuses, r.state.shardsMoved = now, nil, false
		return res, perr
	}
	pctx, stopGuard := r.guard(ctx, set)
	pass, perr := r.pass(pctx, now, reconcile.ModeApply)
	lost := errors.Is(context.Cause(pctx), ErrLeadershipLost)
	stopGuard()
	if lost || !r.mayWrite(set) {
		// Another process may be writing now: commit nothing, read its statuses next time.
		r.state.retry, r.state.statuses = true, nil
		res.Follower, res.LeadershipLost = true, true
		r.notify("lost", "pass on %s stopped: %v; nothing committed", revision.Short(r.state.good.checkout.Revision), ErrLeadershipLost)
		return res, nil
	}
	res.Planned = true
	r.state.lastObserve, r.state.shardsMoved = now, false
	if f := pass.final(); f != nil && len(f.Snapshots) > 0 {
		r.state.observedAt = now
	}
	r.state.retry = retryable(perr) || pass.retryable()
	r.state.transition = pass.inTransition()
	if pass != nil && pass.applied != nil {
		res.Applied = pass.applied.Count(apply.Done)
	}
	res.PassErr, res.Deferred = perr, deferred(pass)
	if pass != nil {
		res.Failed, res.applied = applyFailures(pass.applied), pass.applied
	}
	switch {
	case perr != nil && ctx.Err() != nil:
		r.notify("interrupted", "pass on %s stopped: %v", revision.Short(r.state.good.checkout.Revision), context.Cause(ctx))
	case perr != nil:
		r.notify("error", "pass on %s failed: %v", revision.Short(r.state.good.checkout.Revision), perr)
	}
	werr := r.writeStatuses(ctx, co, &passOutcome{pass: pass, err: perr}, res)
	if perr == nil {
		r.runLifecycle(ctx, now, pass.final())
	}
	return res, werr
}

// passReason says why a pass is needed now, or "" when the tick only fetches.
func (r *Runner) passReason(co *checkout.Checkout, now time.Time, why string) string {
	switch {
	case co.SpecDigest != r.state.lastDigest:
		return "spec-changed"
	case r.state.shardsMoved:
		return "shards-changed"
	case why == "window":
		return "window"
	case why == TriggerLeading:
		return "leading"
	case r.state.retry && now.Before(r.state.retryAt):
		return "" // backing off after failed ticks: only a new revision or a trigger passes
	case r.state.retry:
		return "retry"
	case r.state.transition:
		return "transition"
	case r.state.lastObserve.IsZero() || now.Sub(r.state.lastObserve) >= r.driftInterval():
		return "drift-check"
	case r.state.good != nil && windowOpen(r.state.good.repo, now):
		return "window-open"
	}
	return ""
}

// specRevision is co, named by the revision the previous statuses describe when they were
// written for the same specs: after a restart the head is usually the loop's own status commit,
// and the statuses keep describing the spec revision (an idle restart writes nothing).
func (r *Runner) specRevision(co *checkout.Checkout) *checkout.Checkout {
	if r.state.lastDigest != "" {
		return co // not the first load: the revision in force is known
	}
	for _, b := range r.state.statuses {
		if s, err := status.ParseYAML(b); err == nil && s.SpecDigest == co.SpecDigest && s.LastAttemptedRevision != "" {
			named := *co
			named.Revision = s.LastAttemptedRevision
			return &named
		}
	}
	return co
}

// loadRevision validates a new revision; a good one replaces the revision in force.
func (r *Runner) loadRevision(co *checkout.Checkout, res *TickResult) {
	repo, err := spec.Load(co.FS)
	if err == nil {
		// The same region and project the pass plans with, so statuses match live clusters.
		reconcile.FillProfileDefaults(repo, r.DefaultRegion, r.DefaultProjectID)
		r.state.good = &goodRevision{checkout: co, repo: repo}
		r.state.failed = nil
		r.notify("fetched", "revision %s: %d cluster(s) valid", revision.Short(co.Revision), len(repo.Clusters))
		return
	}
	res.Invalid = true
	var list spec.ErrorList
	var lines []string
	if errors.As(err, &list) {
		for _, e := range list {
			lines = append(lines, e.Error())
		}
	} else {
		lines = []string{err.Error()}
	}
	r.state.failed = &failedRevision{revision: co.Revision, digest: co.SpecDigest, errors: lines}
	kept := "nothing applied yet"
	if r.state.good != nil {
		kept = "revision " + revision.Short(r.state.good.checkout.Revision) + " stays in force"
	}
	r.notify("invalid", "revision %s failed validation (%d error(s)); %s", revision.Short(co.Revision), len(lines), kept)
}
