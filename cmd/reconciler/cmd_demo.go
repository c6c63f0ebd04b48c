package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/demo"
)

func init() {
	register(&command{
		name:    "demo",
		summary: "the embedded default: emulator + a local git repo from examples/, the whole loop end to end",
		run:     runDemo,
	})
}

func runDemo(ctx context.Context, env *cmdEnv, args []string) int {
	fset := flag.NewFlagSet("demo", flag.ContinueOnError)
	fset.SetOutput(env.stderr)
	dir := fset.String("dir", "", "directory for the demo repository and state (default: a new temporary directory)")
	fset.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: reconciler demo [--dir DIR]")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	if err := demo.Run(ctx, demo.Options{Dir: *dir, Out: env.stdout}); err != nil {
		fmt.Fprintf(env.stderr, "reconciler demo: %v\n", err)
		return 1
	}
	return 0
}
