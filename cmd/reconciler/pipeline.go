package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
)

// pipelineFlags are the flags plan, apply and rotate share.
type pipelineFlags struct {
	repo, ref, output, now string
	concurrency            int
	pollInterval           time.Duration
	retry                  apply.RetryPolicy
	// log receives drain and rotation detail (rotate only); nil discards it.
	log *slog.Logger
}

func (f *pipelineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.repo, "repo", ".", "the repository: a local directory")
	fs.StringVar(&f.ref, "ref", "", "the git ref to read (git repositories only)")
	fs.StringVar(&f.output, "o", "text", "output format: text, json or markdown")
	fs.StringVar(&f.now, "now", "", "evaluate windows and ages at this time (RFC 3339) instead of the clock")
	fs.IntVar(&f.concurrency, "concurrency", 4, "clusters applied at once")
	fs.DurationVar(&f.pollInterval, "poll-interval", 5*time.Second, "delay between two observations while waiting")
	fs.IntVar(&f.retry.Attempts, "retry-attempts", 8, "tries of one API call on transient errors (429, 5xx, 409 transient_state)")
	fs.DurationVar(&f.retry.Base, "retry-base", time.Second, "first retry delay (doubles, with jitter)")
	fs.DurationVar(&f.retry.Max, "retry-max", 30*time.Second, "longest retry delay")
}

// newSource returns where the desired state comes from. A local directory for now; a git URL
// (and --ref) plugs in here when the git source lands.
func newSource(repo, ref string) (reconcile.Source, error) {
	if ref != "" {
		return nil, fmt.Errorf("--ref needs a git repository; %q is read as a local directory", repo)
	}
	return reconcile.DirSource{Dir: repo}, nil
}

// newReconciler wires the pass: source, the Scaleway provider from the scw profile and SCW_* env
// (SCW_API_URL points it at the emulator), and an executor printing progress on stderr.
func newReconciler(env *cmdEnv, pf *pipelineFlags) (*reconcile.Reconciler, error) {
	src, err := newSource(pf.repo, pf.ref)
	if err != nil {
		return nil, err
	}
	var now time.Time
	if pf.now != "" {
		if now, err = time.Parse(time.RFC3339, pf.now); err != nil {
			return nil, fmt.Errorf("--now: %w", err)
		}
	}
	var opts []scaleway.Option
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
		Rotator: newNodeRotator(prov, rotatorOptions{PollInterval: pf.pollInterval, RetryBase: pf.retry.Base,
			RetryMax: pf.retry.Max, Log: pf.log}),
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
