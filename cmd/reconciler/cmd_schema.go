package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/scaleway-gitops/reconciler/schemas"
)

func init() {
	register(&command{
		name:    "schema",
		summary: "print the JSON Schema of cluster specs (--settings: of reconciler.yaml)",
		run:     runSchema,
	})
}

func runSchema(_ context.Context, env *cmdEnv, args []string) int {
	fset := flag.NewFlagSet("schema", flag.ContinueOnError)
	fset.SetOutput(env.stderr)
	settings := fset.Bool("settings", false, "print the schema of reconciler.yaml instead")
	if err := fset.Parse(args); err != nil {
		return 1
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(env.stderr, "reconciler schema: unexpected argument %q\n", fset.Arg(0))
		return 1
	}
	if *settings {
		env.stdout.Write(schemas.Settings)
	} else {
		env.stdout.Write(schemas.Cluster)
	}
	return 0
}
