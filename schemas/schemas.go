// Package schemas embeds the JSON Schemas (draft 2020-12) of the user-facing files, for editors
// (`# yaml-language-server: $schema=…`) and for `reconciler schema`. They are tested against the
// Go types of pkg/spec in both directions and against every file in examples/; the output
// schemas against the Go types they are marshalled from, in both directions (schematest).
package schemas

import _ "embed"

// Cluster is cluster.schema.json: one `kind: Cluster` document under clusters/. Its $defs also
// hold Settings.
//
//go:embed cluster.schema.json
var Cluster []byte

// Settings is settings.schema.json: reconciler.yaml (a reference into Cluster's $defs).
//
//go:embed settings.schema.json
var Settings []byte

// The schemas of the commands' JSON output, each the only document on stdout, with a
// format_version (tested against real outputs through the emulator in cmd/reconciler).
var (
	// Plan is plan.schema.json: `plan -o json`, and the plan inside the apply and rotate documents.
	//
	//go:embed plan.schema.json
	Plan []byte
	// Apply is apply.schema.json: `apply -o json` (and `rotate -o json` without --dry-run).
	//
	//go:embed apply.schema.json
	Apply []byte
	// Rotate is rotate.schema.json: `rotate -o json`, with or without --dry-run.
	//
	//go:embed rotate.schema.json
	Rotate []byte
	// Validate is validate.schema.json: `validate -o json`.
	//
	//go:embed validate.schema.json
	Validate []byte
	// Version is version.schema.json: `version -o json`.
	//
	//go:embed version.schema.json
	Version []byte
	// Preview is preview.schema.json: `preview -o json` (its plan is a plan.schema.json).
	//
	//go:embed preview.schema.json
	Preview []byte
)
