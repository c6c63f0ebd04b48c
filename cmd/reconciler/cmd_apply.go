package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
)

func init() {
	register(&command{name: "apply", summary: "plan, then execute the plan", run: runApply})
}

func runApply(ctx context.Context, env *cmdEnv, args []string) int {
	var pf pipelineFlags
	fs := pipelineFlagSet("apply", env, &pf)
	autoApprove := fs.Bool("auto-approve", false, "skip the interactive approval of the plan")
	ignoreLease := fs.Bool("ignore-lease", false, "apply even while a `run` loop holds the repository's git lease (two writers)")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	pf.keepClone = true
	r, pass, err := planPass(ctx, env, &pf)
	defer pf.cleanup()
	if err != nil {
		return fail(env, err)
	}
	if err := checkLease(ctx, pf.src, *ignoreLease); err != nil {
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
	code := applyPass(ctx, env, r, pass)
	if pass.Result != nil {
		if err := recordStatus(ctx, env, r, &pf, pass); err != nil {
			return fail(env, err)
		}
	}
	return code
}

// recordStatus commits the statuses of an applied pass to the repository, with the loop's code,
// when --repo is a git URL; for a local directory it says that nothing was written (the loop
// or the next apply from the git URL writes them).
func recordStatus(ctx context.Context, env *cmdEnv, r *reconcile.Reconciler, pf *pipelineFlags, pass *reconcile.Pass) error {
	if pf.src == nil {
		fmt.Fprintln(env.stderr, "status: not written: --repo is a local directory (status/ and reports/ are committed when --repo is a git URL, as `run` does)")
		return nil
	}
	run := &runner.Runner{Source: pf.src, Provider: r.Provider, Exec: r.Exec, Owner: r.Owner,
		DefaultProjectID: r.DefaultProjectID, DefaultRegion: r.DefaultRegion}
	rev, err := run.RecordPass(ctx, pf.checkout, pass.Repo, pass)
	switch {
	case err != nil:
		return fmt.Errorf("status: %w", err)
	case rev == "":
		fmt.Fprintln(env.stderr, "status: unchanged")
	default:
		fmt.Fprintf(env.stderr, "status: committed %s to %s\n", rev, pf.src.TargetBranch())
	}
	return nil
}

// confirm asks on stdin, terraform-style; only "yes" approves.
func confirm(env *cmdEnv) bool {
	fmt.Fprint(env.stdout, "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
	line, _ := bufio.NewReader(env.stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}
