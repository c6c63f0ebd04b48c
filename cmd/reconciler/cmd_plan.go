package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func init() {
	register(&command{name: "plan", summary: "observe live state and print the ordered plan", run: runPlan})
}

func runPlan(ctx context.Context, env *cmdEnv, args []string) int {
	var pf pipelineFlags
	fs := pipelineFlagSet("plan", env, &pf)
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when the plan has changes (0: none, 1: error)")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	_, pass, err := planPass(ctx, env, &pf)
	if err != nil {
		return fail(env, err)
	}
	if err := renderPlan(env.stdout, pass.Plan, pf.output); err != nil {
		return fail(env, err)
	}
	if *detailed && pass.Plan.HasChanges() {
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
