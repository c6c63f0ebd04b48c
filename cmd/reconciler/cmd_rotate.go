package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
)

func init() {
	register(&command{name: "rotate", summary: "one node-rotation pass now (what cron triggers in run)", run: runRotate})
}

// runRotate plans, restricts the plan to its rotate-node actions and executes them (drain,
// replace, wait), or with --dry-run prints every pool's decisions and calendar. Exit 0 when every
// rotation was done or deliberately skipped (a PDB held the drain, reported), 1 on an error, a
// failed rotation or an aborted pool.
func runRotate(ctx context.Context, env *cmdEnv, args []string) int {
	var pf pipelineFlags
	fs := pipelineFlagSet("rotate", env, &pf)
	dryRun := fs.Bool("dry-run", false, "print the candidates, the reason for every node left alone and the calendar; change nothing")
	verbose := fs.Bool("v", false, "log every drain step on stderr")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	if *verbose {
		pf.log = slog.New(slog.NewTextHandler(env.stderr, nil))
	}
	r, pass, err := planPass(ctx, env, &pf)
	if err != nil {
		return fail(env, err)
	}
	if *dryRun {
		if err := writeRotationDryRun(env.stdout, pass); err != nil {
			return fail(env, err)
		}
		return 0
	}
	pass.Plan = pass.Plan.Only(plan.RotateNode)
	if err := renderPlan(env.stdout, pass.Plan, pf.output); err != nil {
		return fail(env, err)
	}
	if pass.Plan.Empty() {
		return 0
	}
	fmt.Fprintln(env.stdout)
	return applyPass(ctx, env, r, pass)
}

// writeRotationDryRun prints, for every spec'd cluster that exists live, every pool's decisions
// (rotation.WriteDryRun: the candidates and why each other node is left alone) and calendar.
func writeRotationDryRun(w io.Writer, pass *reconcile.Pass) error {
	var decisions []rotation.Decision
	var cals []rotation.Calendar
	var notes []string
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
