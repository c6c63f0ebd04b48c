package preview

import (
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// checkLines are the head plan's pre-flight concerns and wave plan, shown above the plan (whose
// cluster sections are folded): the rollout line, then per cluster each drain finding, skipped
// check and object in a removed API version, capped at maxListed lines.
func checkLines(p *Preview, code func(string) string) []string {
	if p.Plan == nil {
		return nil
	}
	var out []string
	if p.Plan.Rollout != nil {
		out = append(out, "rollout: "+plan.RolloutLine(p.Plan.Rollout))
	}
	n := 0
	for _, c := range p.Plan.Clusters {
		if !c.Preflight.Concerns() {
			continue
		}
		for _, l := range plan.PreflightLines(c.Preflight, code) {
			if strings.Contains(l, "drain clean") || strings.HasPrefix(l, "removed APIs: none") {
				continue
			}
			if n == maxListed {
				out = append(out, "… and more: see the clusters' pre-flight below")
				return out
			}
			out = append(out, code(c.Name)+": "+l)
			n++
		}
	}
	return out
}

// mdText neutralises HTML in a line of running text.
func mdText(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}
