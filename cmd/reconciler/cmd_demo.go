package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scaleway-gitops/reconciler/pkg/demo"
)

func init() { register(newDemoCmd) }

func newDemoCmd(env *cmdEnv) *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "demo",
		Short: "The embedded default: emulator + a local git repo from examples/, the whole loop end to end",
		Long: `Demo starts the Scaleway Kubernetes API emulator in-process, writes a git repository from
examples/ and runs the whole loop end to end: validate, plan, apply, a drift reverted, an
upgrade within its window, status committed back. It needs no account and no network.`,
		Example: `  reconciler demo
  reconciler demo --dir /tmp/reconciler-demo`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := demo.Run(c.Context(), demo.Options{Dir: dir, Out: env.stdout}); err != nil {
				fmt.Fprintf(env.stderr, "Error: %v\n", err)
				return exitCode(1)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "directory for the demo repository and state (default: a new temporary directory)")
	return c
}
