package main

import (
	"github.com/spf13/cobra"

	"github.com/scaleway-gitops/reconciler/schemas"
)

func init() { register(newSchemaCmd) }

func newSchemaCmd(env *cmdEnv) *cobra.Command {
	var settings bool
	c := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of cluster specs (--settings: of reconciler.yaml)",
		Long: `Schema prints the JSON Schema (draft 2020-12) of a cluster spec under clusters/, or with
--settings that of reconciler.yaml, for editors and validators.`,
		Example: `  reconciler schema > cluster.schema.json
  reconciler schema --settings > settings.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if settings {
				_, err := env.stdout.Write(schemas.Settings)
				return err
			}
			_, err := env.stdout.Write(schemas.Cluster)
			return err
		},
	}
	c.Flags().BoolVar(&settings, "settings", false, "print the schema of reconciler.yaml instead")
	return c
}
