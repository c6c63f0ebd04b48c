package main

import (
	"fmt"
	"io"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// warnNodeTypes prints, for every pool whose node type looks misspelt offline (spec.NodeTypeHint),
// a warning to w. It never fails validation: only the zone's live catalog, checked by `plan`,
// says whether a type exists.
func warnNodeTypes(w io.Writer, r *spec.Repo) {
	for _, c := range r.Clusters {
		for _, p := range c.Spec.Pools {
			if hint := spec.NodeTypeHint(p.NodeType); hint != "" {
				fmt.Fprintf(w, "warning: %s:%d: cluster %s pool %s: node type %q: %s (plan checks node types against the zone's live catalog)\n",
					c.Source.File, c.Source.Line, c.Metadata.Name, p.Name, p.NodeType, hint)
			}
		}
	}
}
