// Package examples embeds the example user repository (reconciler.yaml and clusters/), so that
// `reconciler demo` can lay it out as a Git repository wherever it runs.
package examples

import "embed"

// FS holds reconciler.yaml and clusters/*.yaml, at the root as in a user's repository.
//
//go:embed reconciler.yaml clusters
var FS embed.FS
