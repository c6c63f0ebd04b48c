// Package schemas embeds the JSON Schemas (draft 2020-12) of the user-facing files, for editors
// (`# yaml-language-server: $schema=…`) and for `reconciler schema`. They are tested against the
// Go types of pkg/spec in both directions and against every file in examples/.
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
