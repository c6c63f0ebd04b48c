package plan

// Only returns a copy of p restricted to the actions and deferred actions of type t (`reconciler
// rotate` runs the rotate-node part of a plan), with the summary recounted. Warnings, calendars
// and each cluster's BasedOn are kept.
func (p *Plan) Only(t ActionType) *Plan {
	out := *p
	out.Clusters = make([]ClusterPlan, len(p.Clusters))
	for i, c := range p.Clusters {
		c.Actions, c.Deferred = onlyActions(c.Actions, t), onlyDeferred(c.Deferred, t)
		out.Clusters[i] = c
	}
	out.Summary = summarize(out.Clusters)
	return &out
}

func onlyActions(as []Action, t ActionType) []Action {
	out := []Action{}
	for _, a := range as {
		if a.Type == t {
			out = append(out, a)
		}
	}
	return out
}

func onlyDeferred(ds []Deferred, t ActionType) []Deferred {
	out := []Deferred{}
	for _, d := range ds {
		if d.Action.Type == t {
			out = append(out, d)
		}
	}
	return out
}
