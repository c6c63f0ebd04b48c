package main

import (
	"fmt"
	"io"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// warnNodeTypes prints, for every pool whose node type looks misspelt offline (spec.NodeTypeHint),
// a warning to w at the nodeType's line. It never fails validation: only the zone's live catalog, checked by `plan`,
// says whether a type exists.
func warnNodeTypes(w io.Writer, r *spec.Repo) {
	for _, c := range r.Clusters {
		for i, p := range c.Spec.Pools {
			if hint := spec.NodeTypeHint(p.NodeType); hint != "" {
				// at the nodeType's own line, as validate's errors and plan's node-type errors
				path := spec.PoolPath(i) + ".nodeType"
				at := c.Pos(path).String() + ": "
				if _, ok := c.Positions[path]; ok {
					at += path + ": "
				}
				fmt.Fprintf(w, "warning: %scluster %s pool %s: node type %q: %s (plan checks node types against the zone's live catalog)\n",
					at, c.Metadata.Name, p.Name, p.NodeType, hint)
			}
		}
	}
}
