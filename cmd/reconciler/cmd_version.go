package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

func newVersionCmd(env *cmdEnv) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version of this build",
		Long: `Version prints the module version of this build (a tag, or a pseudo-version naming the
commit), its VCS commit and whether the tree was modified, and the Go version and platform.
The same version is sent in the user agent of every Scaleway API request.`,
		Example: `  reconciler version
  reconciler version -o json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return fmt.Errorf("-o: %w", err)
			}
			return writeVersion(env.stdout, readBuildVersion(), output)
		},
	}
	registerOutputFlag(c.Flags(), &output, "text", "text or json")
	return c
}

func writeVersion(w io.Writer, v buildVersion, output string) error {
	if output == "json" {
		return writeJSON(w, v)
	}
	_, err := io.WriteString(w, v.text())
	return err
}
