package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	_ "time/tzdata" // time zones of spec windows resolve even where the OS has no zoneinfo

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func init() {
	register(&command{
		name:    "validate",
		summary: "parse and validate every cluster spec; exit 1 with all errors",
		run:     runValidate,
	})
}

func runValidate(_ context.Context, env *cmdEnv, args []string) int {
	fset := flag.NewFlagSet("validate", flag.ContinueOnError)
	fset.SetOutput(env.stderr)
	repo := fset.String("repo", ".", "repository root (holding clusters/ and reconciler.yaml)")
	showDefaults := fset.Bool("show-defaults", false, "print every cluster with all defaults applied, as YAML")
	fset.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: reconciler validate [--repo DIR] [--show-defaults]")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(env.stderr, "reconciler validate: unexpected argument %q\n", fset.Arg(0))
		return 1
	}
	info, err := os.Stat(*repo)
	if err != nil || !info.IsDir() {
		fmt.Fprintf(env.stderr, "reconciler validate: %s is not a directory\n", *repo)
		return 1
	}
	r, err := spec.Load(repofs.Dir(*repo))
	if err != nil {
		return printLoadErrors(env.stderr, *repo, err)
	}
	if *showDefaults {
		out, err := spec.MarshalClusters(r.Clusters)
		if err != nil {
			fmt.Fprintf(env.stderr, "reconciler validate: render defaults: %v\n", err)
			return 1
		}
		env.stdout.Write(out)
		return 0
	}
	warnNodeTypes(env.stderr, r)
	fmt.Fprintf(env.stdout, "OK: %d %s in %d %s under %s\n",
		len(r.Clusters), plural(len(r.Clusters), "cluster"), r.Files, plural(r.Files, "file"), filepath.Join(*repo, spec.ClustersDir))
	return 0
}

// printLoadErrors prints every spec error, one per line, then a count.
func printLoadErrors(w io.Writer, repo string, err error) int {
	var list spec.ErrorList
	if !errors.As(err, &list) {
		fmt.Fprintf(w, "reconciler validate: %v\n", err)
		return 1
	}
	for _, e := range list {
		fmt.Fprintln(w, e.Error())
	}
	fmt.Fprintf(w, "%d %s in %s\n", len(list), plural(len(list), "error"), repo)
	return 1
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
