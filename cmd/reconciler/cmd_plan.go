package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func init() {
	register(&command{name: "plan", summary: "observe live state and print the ordered plan", run: runPlan})
}

// pipelineFlags are the flags plan and apply share.
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

func runPlan(ctx context.Context, env *cmdEnv, args []string) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	var pf pipelineFlags
	pf.register(fs)
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when the plan has changes (0: none, 1: error)")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	r, err := newReconciler(env, &pf)
	if err != nil {
		return fail(env, err)
	}
	pass, err := r.Plan(ctx)
	if err != nil {
		return fail(env, err)
	}
	if err := renderPlan(env.stdout, pass.Plan, pf.output); err != nil {
		return fail(env, err)
	}
	if *detailed && !pass.Plan.Empty() {
		return 2
	}
	return 0
}

// renderPlan writes p in the format the user asked for (text, json or markdown).
func renderPlan(w io.Writer, p *plan.Plan, format string) error {
	b, err := plan.Render(p, format)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func exitUsage(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

// fail prints err on stderr and returns exit code 1.
func fail(env *cmdEnv, err error) int {
	fmt.Fprintf(env.stderr, "Error: %v\n", err)
	return 1
}
