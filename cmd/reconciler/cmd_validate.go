package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	_ "time/tzdata" // time zones of spec windows resolve even where the OS has no zoneinfo

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func init() { register(newValidateCmd) }

func newValidateCmd(env *cmdEnv) *cobra.Command {
	var repo, output string
	var showDefaults bool
	c := &cobra.Command{
		Use:   "validate",
		Short: "Parse and validate every cluster spec; exit 1 with all errors",
		Long: `Validate parses every cluster spec under clusters/ and reconciler.yaml, checks them without
touching the network and prints every problem with its file, line, column and field path,
then a count. Exit 0 when the repository is valid, 1 otherwise.

With --show-defaults it prints every cluster with all defaults applied, as YAML.
With -o json it prints one document (format_version, valid, counts, errors).`,
		Example: `  reconciler validate --repo .
  reconciler validate --repo . --show-defaults
  reconciler validate --repo . -o json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return exit(runValidate(env, repo, output, showDefaults))
		},
	}
	fs := c.Flags()
	fs.StringVar(&repo, "repo", ".", "repository root (holding clusters/ and reconciler.yaml)")
	fs.BoolVar(&showDefaults, "show-defaults", false, "print every cluster with all defaults applied, as YAML")
	registerOutputFlag(fs, &output, "text", "text or json")
	return c
}

// validateReport is the JSON document of `validate -o json`.
type validateReport struct {
	FormatVersion string            `json:"format_version"`
	Valid         bool              `json:"valid"`
	Clusters      int               `json:"clusters"`
	Files         int               `json:"files"`
	Errors        []validateProblem `json:"errors"`
}

// validateProblem is one spec problem.
type validateProblem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

func runValidate(env *cmdEnv, repo, output string, showDefaults bool) int {
	if err := checkOutput(output, "text", "json"); err != nil {
		return fail(env, fmt.Errorf("-o: %w", err))
	}
	if showDefaults && output == "json" {
		return fail(env, errors.New("--show-defaults prints YAML: drop -o json"))
	}
	if err := checkLocalRepo(repo); err != nil {
		return fail(env, err)
	}
	r, err := spec.Load(repofs.Dir(repo))
	if output == "json" {
		if err == nil {
			warnNodeTypes(env.stderr, r) // stdout holds the one document
		}
		return writeValidateJSON(env, r, err)
	}
	if err != nil {
		return printLoadErrors(env.stderr, repo, err)
	}
	if showDefaults {
		out, err := spec.MarshalClusters(r.Clusters)
		if err != nil {
			return fail(env, fmt.Errorf("render defaults: %w", err))
		}
		env.stdout.Write(out)
		return 0
	}
	warnNodeTypes(env.stderr, r)
	fmt.Fprintf(env.stdout, "OK: %d %s in %d %s under %s\n",
		len(r.Clusters), plural(len(r.Clusters), "cluster"), r.Files, plural(r.Files, "file"), filepath.Join(repo, spec.ClustersDir))
	return 0
}

// writeValidateJSON prints the validation as one JSON document; exit 1 when invalid.
func writeValidateJSON(env *cmdEnv, r *spec.Repo, loadErr error) int {
	rep := validateReport{FormatVersion: reportFormatVersion, Valid: loadErr == nil, Errors: []validateProblem{}}
	var list spec.ErrorList
	switch {
	case errors.As(loadErr, &list):
		for _, e := range list {
			rep.Errors = append(rep.Errors, validateProblem{File: e.File, Line: e.Line, Column: e.Column, Path: e.Path, Message: e.Message, Hint: e.Hint})
		}
	case loadErr != nil:
		rep.Errors = append(rep.Errors, validateProblem{Message: loadErr.Error()})
	default:
		rep.Clusters, rep.Files = len(r.Clusters), r.Files
	}
	if err := writeJSON(env.stdout, rep); err != nil {
		return fail(env, err)
	}
	if !rep.Valid {
		return 1
	}
	return 0
}

// printLoadErrors prints every spec error, one per line, then a count.
func printLoadErrors(w io.Writer, repo string, err error) int {
	var list spec.ErrorList
	if !errors.As(err, &list) {
		fmt.Fprintf(w, "Error: %v\n", err)
		return 1
	}
	for _, e := range list {
		fmt.Fprintln(w, e.Error())
	}
	fmt.Fprintf(w, "Error: %d %s in %s\n", len(list), plural(len(list), "error"), repo)
	return 1
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
