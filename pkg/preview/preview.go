package preview

import (
	"cmp"
	"slices"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// FormatVersion is the version of the preview's JSON.
const FormatVersion = "1"

// Preview is one pull request's plan preview.
type Preview struct {
	FormatVersion string `json:"format_version"`
	Base          Rev    `json:"base"`
	Head          Rev    `json:"head"`
	// Plan is the head revision's plan; nil when the head does not load (Errors).
	Plan *plan.Plan `json:"plan"`
	// Errors are the head's spec errors, one "file:line:column: path: message" each.
	Errors []string `json:"errors,omitempty"`
	// Compared is the head plan against the base plan; nil when either is missing.
	Compared *Comparison `json:"compared,omitempty"`
	// BaseError says why the base could not be planned (the comparison is then missing).
	BaseError string `json:"base_error,omitempty"`
	// Files are the paths (outside status/ and reports/) that differ between base and head.
	Files []string `json:"files"`
}

// Rev is one side of the pull request.
type Rev struct {
	Ref      string `json:"ref"`
	Revision string `json:"revision"`
}

// Comparison is what the pull request changes in the plan.
type Comparison struct {
	// Added are head actions the base plan does not have; Removed the reverse.
	Added   []ActionRef `json:"added"`
	Removed []ActionRef `json:"removed"`
}

// ActionRef names one action.
type ActionRef struct {
	ID     string          `json:"id"`
	Type   plan.ActionType `json:"type"`
	Target string          `json:"target"`
}

// Valid reports whether the head loaded and was planned.
func (p *Preview) Valid() bool { return p.Plan != nil && len(p.Errors) == 0 }

// Compare lists the actions (by their stable ID) that head adds to and removes
// from base, sorted by ID. Deferred actions are not actions: they are compared
// as part of the plan body, not here.
func Compare(base, head *plan.Plan) *Comparison {
	b, h := actions(base), actions(head)
	c := &Comparison{Added: []ActionRef{}, Removed: []ActionRef{}}
	for id, a := range h {
		if _, ok := b[id]; !ok {
			c.Added = append(c.Added, a)
		}
	}
	for id, a := range b {
		if _, ok := h[id]; !ok {
			c.Removed = append(c.Removed, a)
		}
	}
	byID := func(x, y ActionRef) int { return cmp.Compare(x.ID, y.ID) }
	slices.SortFunc(c.Added, byID)
	slices.SortFunc(c.Removed, byID)
	return c
}

func actions(p *plan.Plan) map[string]ActionRef {
	m := map[string]ActionRef{}
	for _, c := range p.Clusters {
		for _, a := range c.Actions {
			m[a.ID] = ActionRef{ID: a.ID, Type: a.Type, Target: a.Target}
		}
	}
	return m
}

// Empty reports whether the compared-with-base summary has nothing to say.
func (c *Comparison) Empty() bool { return len(c.Added) == 0 && len(c.Removed) == 0 }
