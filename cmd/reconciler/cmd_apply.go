package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
)

func init() { register(newApplyCmd) }

// applyFlags are apply's own flags.
type applyFlags struct {
	autoApprove, ignoreLease bool
}

func newApplyCmd(env *cmdEnv) *cobra.Command {
	var pf pipelineFlags
	var af applyFlags
	c := &cobra.Command{
		Use:   "apply",
		Short: "Plan, then execute the plan",
		Long: `Apply plans as 'reconciler plan' does, asks for approval (only 'yes' approves) and executes
the actions: creations, updates, upgrades, pool replacements, deletions the deletion rule
allows and node rotations, each waited for until ready. Progress goes to stderr.

For a git URL the statuses and reports are committed back to the repository, as 'run' does;
apply refuses while a 'run' loop holds the repository's git lease (--ignore-lease to override).

With -o json stdout holds exactly one document (schemas/apply.schema.json): the plan, whether
it was applied and the result; the plan and the question go to stderr when there is one.`,
		Example: `  reconciler apply --repo .
  reconciler apply --repo https://git.example.com/fleet.git --ref main --auto-approve
  reconciler apply --repo . --auto-approve -o json > result.json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return exit(runApply(c.Context(), env, &pf, af)) },
	}
	fs := c.Flags()
	pf.registerPlanFlags(fs)
	pf.registerApplyFlags(fs)
	fs.BoolVar(&af.autoApprove, "auto-approve", false, "skip the interactive approval of the plan")
	fs.BoolVar(&af.ignoreLease, "ignore-lease", false, "apply even while a run loop holds the repository's git lease (two writers)")
	return c
}

func runApply(ctx context.Context, env *cmdEnv, pf *pipelineFlags, af applyFlags) int {
	pf.keepClone = true
	r, pass, err := planPass(ctx, env, pf)
	defer pf.cleanup()
	if err != nil {
		return fail(env, err)
	}
	warnNow(env, pf.now)
	rep := &applyReport{FormatVersion: reportFormatVersion, Command: "apply", Plan: pass.Plan}
	jsonOut := pf.output == plan.FormatJSON
	if err := checkLease(ctx, pf.src, af.ignoreLease); err != nil {
		rep.Error = err.Error() // the plan exists: with -o json it is still the one document
		return finishReport(env, rep, jsonOut, fail(env, err))
	}
	// people read the plan and answer on stdout; with JSON, stdout is the document only
	talk := env.stdout
	if jsonOut {
		talk = env.stderr
	} else if err := renderPlan(env.stdout, pass.Plan, pf.output); err != nil {
		return fail(env, err)
	}
	if pass.Plan.Empty() {
		return finishReport(env, rep, jsonOut, 0)
	}
	if !af.autoApprove {
		if jsonOut {
			if err := renderPlan(talk, pass.Plan, plan.FormatText); err != nil {
				return fail(env, err)
			}
		}
		if !confirm(env, talk) {
			fmt.Fprintln(talk, "\nApply cancelled.")
			rep.Error = "apply cancelled: the plan was not approved"
			// exit 1 says why on stderr, as every failure does
			return finishReport(env, rep, jsonOut, fail(env, errors.New(rep.Error+" (only 'yes' approves; --auto-approve applies without asking)")))
		}
	}
	fmt.Fprintln(talk)
	code := applyPass(ctx, env, r, pass, rep, pf.output)
	if pass.Result != nil {
		sctx := ctx
		if ctx.Err() != nil {
			// Interrupted (Ctrl-C, SIGTERM): what was sent goes on at Scaleway, so the status of
			// what was started is still recorded, within a bound of its own.
			fmt.Fprintln(env.stderr, "interrupted: the actions already sent go on at Scaleway; the next plan shows what is left")
			var cancel context.CancelFunc
			sctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), statusAfterInterrupt)
			defer cancel()
			code = 1
		}
		if err := recordStatus(sctx, env, r, pf, pass); err != nil {
			rep.Error = err.Error()
			code = fail(env, err)
		}
	}
	return finishReport(env, rep, jsonOut, code)
}

// warnNow says, for apply and rotate, that --now moves the judgement of windows, budgets and
// ages, not the actions: they run at once.
func warnNow(env *cmdEnv, now string) {
	if now != "" {
		fmt.Fprintf(env.stderr, "warning: --now %s: windows, budgets and node ages are judged at that time, but the actions run now, possibly outside their windows\n", now)
	}
}

// statusAfterInterrupt bounds the status commit of an interrupted apply.
const statusAfterInterrupt = 30 * time.Second

// finishReport prints the JSON document with -o json, and returns code.
func finishReport(env *cmdEnv, rep *applyReport, jsonOut bool, code int) int {
	if !jsonOut {
		return code
	}
	if err := writeJSON(env.stdout, rep); err != nil {
		return fail(env, err)
	}
	return code
}

// applyPass executes the pass's plan, records the outcome in rep, prints the result unless the
// output is JSON and returns the exit code: 1 on an error or a failed action, else 0.
func applyPass(ctx context.Context, env *cmdEnv, r *reconcile.Reconciler, pass *reconcile.Pass, rep *applyReport, format string) int {
	err := r.Apply(ctx, pass)
	rep.Result = pass.Result
	rep.Applied = pass.Result != nil
	if err != nil {
		rep.Error = err.Error()
		return fail(env, err)
	}
	if format != plan.FormatJSON {
		if err := apply.WriteText(env.stdout, pass.Result); err != nil {
			return fail(env, err)
		}
	}
	if pass.Result.Failed() {
		return 1
	}
	return 0
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

// confirm asks on w, terraform-style, and reads the answer on stdin; only "yes" approves.
func confirm(env *cmdEnv, w io.Writer) bool {
	fmt.Fprint(w, "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
	line, _ := bufio.NewReader(env.stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}
