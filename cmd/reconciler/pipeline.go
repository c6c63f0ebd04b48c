package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// pipelineFlags are the flags plan, apply and rotate share.
type pipelineFlags struct {
	repo, ref, output, now string
	concurrency            int
	pollInterval           time.Duration
	retry                  backoff.Policy
	// log receives drain and rotation detail (rotate only); nil discards it.
	log *slog.Logger
	// cleanup removes what newSource made (a temporary clone); set by newReconciler. planPass
	// calls it, unless keepClone (apply commits statuses through the clone afterwards).
	cleanup   func()
	keepClone bool
}

func (f *pipelineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.repo, "repo", ".", "the repository: a local directory, or a git URL (https://, ssh://, file://, user@host:path)")
	fs.StringVar(&f.ref, "ref", "", "the branch to read from a git repository (default main)")
	fs.StringVar(&f.output, "o", "text", "output format: text, json or markdown")
	fs.StringVar(&f.now, "now", "", "evaluate windows and ages at this time (RFC 3339) instead of the clock")
	fs.IntVar(&f.concurrency, "concurrency", 4, "clusters applied at once")
	fs.DurationVar(&f.pollInterval, "poll-interval", 5*time.Second, "delay between two observations while waiting")
	registerRetryFlags(fs, &f.retry)
}

// registerRetryFlags registers --retry-attempts, --retry-base and --retry-max into p, defaulting
// to backoff.Default: the retry of one API call, at the one layer that retries it (the adapter's
// reads, apply's mutations).
func registerRetryFlags(fs *flag.FlagSet, p *backoff.Policy) {
	fs.IntVar(&p.Attempts, "retry-attempts", backoff.Default.Attempts, "tries of one API call on transient errors (429, 5xx, 409 transient_state)")
	fs.DurationVar(&p.Base, "retry-base", backoff.Default.Base, "first retry delay (doubles, with jitter)")
	fs.DurationVar(&p.Max, "retry-max", backoff.Default.Max, "longest retry delay")
}

// newSource returns where the desired state comes from: a local directory read as it is, or,
// for a URL (https://, ssh://, file://, user@host:path) or with --ref, a git branch fetched into
// a throw-away shallow clone (GIT_TOKEN or GIT_USERNAME/GIT_PASSWORD for https). The returned
// cleanup removes the clone. owner is the repository's default identity (source.Identity; for a
// directory, that of its git origin and branch, "" when unknown).
func newSource(env *cmdEnv, repo, ref string) (_ reconcile.Source, owner string, cleanup func(), _ error) {
	if ref == "" && !looksRemote(repo) {
		return reconcile.DirSource{Dir: repo}, source.LocalIdentity(repo), func() {}, nil
	}
	cache, err := os.MkdirTemp("", "reconciler-plan-")
	if err != nil {
		return nil, "", nil, err
	}
	cleanup = func() { os.RemoveAll(cache) }
	src, err := source.New(source.Options{URL: repo, Branch: cmp.Or(ref, "main"), CacheDir: cache,
		Auth: source.Auth{Token: env.getenv("GIT_TOKEN"), Username: env.getenv("GIT_USERNAME"), Password: env.getenv("GIT_PASSWORD")}})
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return &gitSource{s: src}, src.Identity(), cleanup, nil
}

// looksRemote tells a git URL from a local directory.
func looksRemote(repo string) bool {
	if strings.Contains(repo, "://") {
		return true
	}
	at, colon := strings.Index(repo, "@"), strings.Index(repo, ":")
	return at > 0 && colon > at && !strings.Contains(repo[:at], "/")
}

// gitSource reads the branch head's tree (no worktree) through pkg/source; it keeps the last
// checkout, for the status commit of `apply`.
type gitSource struct {
	s    *source.Source
	last *source.Checkout
}

func (g *gitSource) Fetch(ctx context.Context) (*reconcile.Checkout, error) {
	co, err := g.s.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	g.last = co
	return &reconcile.Checkout{Revision: co.Revision, FS: co.FS}, nil
}

// newReconciler wires the pass: source, the Scaleway provider from the scw profile and SCW_* env
// (SCW_API_URL points it at the emulator), and an executor printing progress on stderr.
func newReconciler(env *cmdEnv, pf *pipelineFlags) (_ *reconcile.Reconciler, err error) {
	src, owner, cleanup, err := newSource(env, pf.repo, pf.ref)
	if err != nil {
		return nil, err
	}
	pf.cleanup = cleanup
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	r, err := wireReconciler(env, pf, src)
	if err != nil {
		return nil, err
	}
	r.Owner = owner
	return r, nil
}

// wireReconciler is newReconciler for a source the caller made (preview plans fixed revisions).
func wireReconciler(env *cmdEnv, pf *pipelineFlags, src reconcile.Source) (*reconcile.Reconciler, error) {
	var now time.Time
	var err error
	if pf.now != "" {
		if now, err = time.Parse(time.RFC3339, pf.now); err != nil {
			return nil, fmt.Errorf("--now: %w", err)
		}
	}
	// One policy for every API call, each retried at one layer: the adapter retries its reads,
	// apply its mutations.
	opts := []scaleway.Option{scaleway.WithReadRetry(pf.retry)}
	if u := env.getenv("SCW_API_URL"); u != "" {
		opts = append(opts, scaleway.WithAPIURL(u)) // the profile and os environment give the rest
	}
	prov, err := scaleway.New(opts...)
	if err != nil {
		return nil, err
	}
	exec := &apply.Executor{
		Provider: prov, Clock: clock.RealClock{}, Concurrency: pf.concurrency,
		Options:  apply.Options{PollInterval: pf.pollInterval, Retry: pf.retry},
		Progress: func(ev apply.Event) { fmt.Fprintln(env.stderr, ev.Message) },
		Rotator:  newNodeRotator(prov, rotatorOptions{PollInterval: pf.pollInterval, Evict: pf.retry, Log: pf.log}),
	}
	return &reconcile.Reconciler{
		Source: src, Provider: prov, Exec: exec, Now: now,
		DefaultProjectID: prov.DefaultProjectID(), DefaultRegion: prov.DefaultRegion(),
		Rotate: rotation.PlanCluster, Calendar: rotation.PlanCalendars,
	}, nil
}

// pipelineFlagSet is the flag set of a pipeline command (plan, apply, rotate) with the shared
// flags registered into pf; the command adds its own flags before parsing.
func pipelineFlagSet(name string, env *cmdEnv, pf *pipelineFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	pf.register(fs)
	return fs
}

// planPass wires the reconciler from pf and plans one pass.
func planPass(ctx context.Context, env *cmdEnv, pf *pipelineFlags) (*reconcile.Reconciler, *reconcile.Pass, error) {
	r, err := newReconciler(env, pf)
	if err != nil {
		return nil, nil, err
	}
	pass, err := r.Plan(ctx)
	if !pf.keepClone {
		pf.cleanup() // the specs are loaded: a temporary clone is no longer needed
	}
	if err != nil {
		return nil, nil, err
	}
	return r, pass, nil
}

// applyPass executes the pass's plan, prints the result and returns the exit code: 1 on an
// error or a failed action, else 0.
func applyPass(ctx context.Context, env *cmdEnv, r *reconcile.Reconciler, pass *reconcile.Pass) int {
	if err := r.Apply(ctx, pass); err != nil {
		return fail(env, err)
	}
	if err := apply.WriteText(env.stdout, pass.Result); err != nil {
		return fail(env, err)
	}
	if pass.Result.Failed() {
		return 1
	}
	return 0
}
