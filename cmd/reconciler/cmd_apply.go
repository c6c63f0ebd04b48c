package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

func init() {
	register(&command{name: "apply", summary: "plan, then execute the plan", run: runApply})
}

func runApply(ctx context.Context, env *cmdEnv, args []string) int {
	var pf pipelineFlags
	fs := pipelineFlagSet("apply", env, &pf)
	autoApprove := fs.Bool("auto-approve", false, "skip the interactive approval of the plan")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	r, pass, err := planPass(ctx, env, &pf)
	if err != nil {
		return fail(env, err)
	}
	if err := renderPlan(env.stdout, pass.Plan, pf.output); err != nil {
		return fail(env, err)
	}
	if pass.Plan.Empty() {
		return 0
	}
	if !*autoApprove && !confirm(env) {
		fmt.Fprintln(env.stdout, "\nApply cancelled.")
		return 1
	}
	fmt.Fprintln(env.stdout)
	return applyPass(ctx, env, r, pass)
}

// confirm asks on stdin, terraform-style; only "yes" approves.
func confirm(env *cmdEnv) bool {
	fmt.Fprint(env.stdout, "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
	line, _ := bufio.NewReader(env.stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}
