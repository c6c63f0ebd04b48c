package main

import (
	"fmt"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
)

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
