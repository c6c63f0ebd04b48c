package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
)

func init() { register(newRotateCmd) }

func newRotateCmd(env *cmdEnv) *cobra.Command {
	var pf pipelineFlags
	var dryRun, verbose, ignoreLease bool
	c := &cobra.Command{
		Use:   "rotate",
		Short: "One node-rotation pass now (what cron triggers in run)",
		Long: `Rotate plans, keeps only the plan's rotate-node actions and executes them: each node past its
maxAge is drained (PodDisruptionBudgets respected), replaced and waited for, within the pool's
window and budget. With --dry-run it prints every pool's decisions (the candidates and why each
other node is left alone) and the rotation calendar, and changes nothing. Without --dry-run it
refuses, for a git URL, while a 'run' loop holds the repository's git lease (--ignore-lease).

Exit 0 when every rotation was done or deliberately skipped, 1 on an error, a failed rotation
or an aborted pool. With -o json stdout holds exactly one document
(schemas/rotate.schema.json); progress goes to stderr.`,
		Example: `  reconciler rotate --repo . --dry-run
  reconciler rotate --repo . --dry-run --now 2026-12-06T02:30:00+01:00 -o json
  reconciler rotate --repo https://git.example.com/fleet.git --ref main -v`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return exit(runRotate(c.Context(), env, &pf, dryRun, verbose, ignoreLease))
		},
	}
	fs := c.Flags()
	pf.registerPlanFlags(fs)
	// rotate prints no markdown (its dry run and progress are text): -o says so.
	out := fs.Lookup("output")
	out.Usage, out.Annotations[outputFormatsAnnotation] = "output format: text or json", []string{"text", "json"}
	pf.registerApplyFlags(fs)
	fs.BoolVar(&dryRun, "dry-run", false, "print the candidates, the reason for every node left alone and the calendar; change nothing")
	fs.BoolVarP(&verbose, "verbose", "v", false, "log every drain step on stderr")
	fs.BoolVar(&ignoreLease, "ignore-lease", false, "rotate even while a run loop holds the repository's git lease (two writers)")
	return c
}

// runRotate plans, restricts the plan to its rotate-node actions and executes them (drain,
// replace, wait), or with dryRun prints every pool's decisions and calendar. Exit 0 when every
// rotation was done or deliberately skipped (a PDB held the drain, reported), 1 on an error, a
// failed rotation or an aborted pool.
func runRotate(ctx context.Context, env *cmdEnv, pf *pipelineFlags, dryRun, verbose, ignoreLease bool) int {
	if err := checkOutput(pf.output, "text", "json"); err != nil {
		return fail(env, fmt.Errorf("-o: %w", err)) // before any I/O, as planPass does
	}
	if verbose {
		pf.log = slog.New(slog.NewTextHandler(env.stderr, nil))
	}
	pf.keepClone = !dryRun // the lease is read through the clone
	r, pass, err := planPass(ctx, env, pf)
	defer pf.cleanup()
	if err != nil {
		return fail(env, err)
	}
	jsonOut := pf.output == plan.FormatJSON
	if dryRun {
		if jsonOut {
			err = writeJSON(env.stdout, rotationDryRunOf(pass))
		} else {
			err = writeRotationDryRun(env.stdout, pass)
		}
		if err != nil {
			return fail(env, err)
		}
		return 0
	}
	warnNow(env, pf.now)
	pass.Plan = pass.Plan.Only(plan.RotateNode)
	rep := &applyReport{FormatVersion: reportFormatVersion, Command: "rotate", Plan: pass.Plan}
	if err := checkLease(ctx, pf.src, ignoreLease); err != nil {
		rep.Error = err.Error() // one writer: a `run` loop rotates this branch's clusters
		return finishReport(env, rep, jsonOut, fail(env, err))
	}
	if !jsonOut {
		if err := renderPlan(env.stdout, pass.Plan, pf.output); err != nil {
			return fail(env, err)
		}
	}
	if pass.Plan.Empty() {
		return finishReport(env, rep, jsonOut, 0)
	}
	if !jsonOut {
		fmt.Fprintln(env.stdout)
	}
	return finishReport(env, rep, jsonOut, applyPass(ctx, env, r, pass, rep, pf.output))
}

// rotationInputs are, for every spec'd cluster that exists live, every pool's decisions and
// calendar, and a note for each cluster left out.
func rotationInputs(pass *reconcile.Pass) (decisions []rotation.Decision, cals []rotation.Calendar, notes []string) {
	for _, c := range pass.Repo.Clusters {
		live := findLive(pass.Snapshots, c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name)
		if live == nil {
			notes = append(notes, fmt.Sprintf("cluster %s: does not exist yet: nothing to rotate", c.Metadata.Name))
			continue
		}
		if cp := findPlan(pass.Plan, c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name); cp != nil {
			if unmanaged, w := cp.Unmanaged(); unmanaged {
				notes = append(notes, fmt.Sprintf("cluster %s: its nodes are not the reconciler's to rotate: %s", c.Metadata.Name, w.Message))
				continue
			}
		}
		decisions = append(decisions, rotation.Decisions(c, live, pass.Plan.Now)...)
		cals = append(cals, rotation.Calendars(c, live, pass.Plan.Now)...)
	}
	return decisions, cals, notes
}

// rotationDryRunOf is the JSON document of a dry run.
func rotationDryRunOf(pass *reconcile.Pass) *rotationDryRun {
	decisions, cals, notes := rotationInputs(pass)
	if notes == nil {
		notes = []string{}
	}
	if cals == nil {
		cals = []rotation.Calendar{}
	}
	return &rotationDryRun{FormatVersion: reportFormatVersion, Command: "rotate --dry-run", Now: pass.Plan.Now,
		Revision: pass.Revision, Notes: notes, Pools: newPoolDecisions(decisions), Calendars: cals}
}

// writeRotationDryRun prints, for every spec'd cluster that exists live, every pool's decisions
// (rotation.WriteDryRun: the candidates and why each other node is left alone) and calendar.
func writeRotationDryRun(w io.Writer, pass *reconcile.Pass) error {
	decisions, cals, notes := rotationInputs(pass)
	fmt.Fprintf(w, "Rotation dry run at %s (revision %s): nothing is changed.\n\n", pass.Plan.Now.Format("2006-01-02T15:04:05Z07:00"), cmp.Or(pass.Revision, "-"))
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	if err := rotation.WriteDryRun(w, decisions); err != nil {
		return err
	}
	for _, cal := range cals {
		fmt.Fprintln(w)
		if err := rotation.WriteCalendar(w, cal); err != nil {
			return err
		}
	}
	return nil
}

func findPlan(p *plan.Plan, region, project, name string) *plan.ClusterPlan {
	for i := range p.Clusters {
		if cp := &p.Clusters[i]; cp.Region == region && cp.ProjectID == project && cp.Name == name {
			return cp
		}
	}
	return nil
}

func findLive(snaps []*cloud.Snapshot, region, project, name string) *cloud.Cluster {
	for _, s := range snaps {
		if s.Ref.Region != region || s.Ref.ProjectID != project {
			continue
		}
		for i := range s.Clusters {
			if s.Clusters[i].Name == name {
				return &s.Clusters[i]
			}
		}
	}
	return nil
}
