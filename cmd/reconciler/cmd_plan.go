package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func init() { register(newPlanCmd) }

func newPlanCmd(env *cmdEnv) *cobra.Command {
	var pf pipelineFlags
	var detailed bool
	c := &cobra.Command{
		Use:   "plan",
		Short: "Observe live state and print the ordered plan",
		Long: `Plan reads the cluster specs of the repository, observes the live clusters through the
Scaleway API and prints the ordered, explained plan: the actions to run now and the ones
deferred (outside a window, out of budget, needing an opt-in). It changes nothing.

With --detailed-exitcode the exit code tells scripts what the plan holds: 0 live state matches
the specs, 1 an error, 2 differences exist (actions, deferred actions or orphan clusters).`,
		Example: `  reconciler plan --repo .
  reconciler plan --repo https://git.example.com/fleet.git --ref main -o json
  reconciler plan --repo git@git.example.com:acme/fleet.git --ssh-key ~/.ssh/id_ed25519 --known-hosts ~/.ssh/known_hosts
  reconciler plan --repo . --detailed-exitcode -o markdown > plan.md`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return exit(runPlan(c.Context(), env, &pf, detailed)) },
	}
	pf.registerPlanFlags(c.Flags())
	c.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when differences exist, deferred ones included (0: in sync, 1: error)")
	return c
}

func runPlan(ctx context.Context, env *cmdEnv, pf *pipelineFlags, detailed bool) int {
	_, pass, err := planPass(ctx, env, pf)
	if err != nil {
		return fail(env, err)
	}
	if err := renderPlan(env.stdout, pass.Plan, pf.output); err != nil {
		return fail(env, err)
	}
	if detailed && differs(pass.Plan) {
		return 2
	}
	return 0
}

// differs reports whether live state differs from the specs: an action to run, a deferred one
// or an orphan to decide on. It is what --detailed-exitcode reports as 2: a CI drift gate must
// not pass while every change waits for a window.
func differs(p *plan.Plan) bool {
	if p.HasChanges() || p.Summary.Deferred > 0 {
		return true
	}
	for _, c := range p.Clusters {
		if len(c.Deferred) > 0 {
			return true
		}
	}
	return false
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

// fail prints err on stderr and returns exit code 1.
func fail(env *cmdEnv, err error) int {
	fmt.Fprintf(env.stderr, "Error: %v\n", err)
	return 1
}
