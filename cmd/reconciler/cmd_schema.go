package main

import (
	"encoding/json"
	"fmt"

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
--settings that of reconciler.yaml, for editors and validators. Each stands alone.`,
		Example: `  reconciler schema > cluster.schema.json
  reconciler schema --settings > settings.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if settings {
				b, err := standaloneSettingsSchema()
				if err != nil {
					return err
				}
				_, err = env.stdout.Write(b)
				return err
			}
			_, err := env.stdout.Write(schemas.Cluster)
			return err
		},
	}
	c.Flags().BoolVar(&settings, "settings", false, "print the schema of reconciler.yaml instead")
	return c
}

// standaloneSettingsSchema is settings.schema.json with the definitions it refers to in
// cluster.schema.json carried along: the file itself refers to cluster.schema.json#/$defs/Settings,
// which resolves against its $id, where a validator or an editor cannot fetch it, and which a
// user who saved only this output does not have.
func standaloneSettingsSchema() ([]byte, error) {
	var stub struct {
		Schema string `json:"$schema"`
		ID     string `json:"$id"`
		Title  string `json:"title"`
	}
	var cluster struct {
		Defs json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(schemas.Settings, &stub); err != nil {
		return nil, fmt.Errorf("settings schema: %w", err)
	}
	if err := json.Unmarshal(schemas.Cluster, &cluster); err != nil {
		return nil, fmt.Errorf("cluster schema: %w", err)
	}
	b, err := json.MarshalIndent(struct {
		Schema string          `json:"$schema"`
		ID     string          `json:"$id"`
		Title  string          `json:"title"`
		Ref    string          `json:"$ref"`
		Defs   json.RawMessage `json:"$defs"`
	}{stub.Schema, stub.ID, stub.Title, "#/$defs/Settings", cluster.Defs}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
