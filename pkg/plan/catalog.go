package plan

import (
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// catalog indexes a region's version catalog by minor.
type catalog struct {
	byMinor map[string]cloud.Version
	latest  map[string]spec.Version
}

func newCatalog(vs []cloud.Version) catalog {
	c := catalog{byMinor: map[string]cloud.Version{}, latest: map[string]spec.Version{}}
	for _, v := range vs {
		k, err := spec.ParseVersion(v.Name)
		if err != nil || !k.Exact {
			continue
		}
		m := k.MinorString()
		if old, ok := c.latest[m]; ok && old.Compare(k) >= 0 {
			continue
		}
		c.byMinor[m] = v
		c.latest[m] = k
	}
	return c
}

// latestOf returns the latest patch the catalog offers for v's minor.
func (c catalog) latestOf(v spec.Version) (spec.Version, bool) {
	k, ok := c.latest[v.MinorString()]
	return k, ok
}

// entry returns the catalog entry of v's minor.
func (c catalog) entry(v spec.Version) (cloud.Version, bool) {
	e, ok := c.byMinor[v.MinorString()]
	return e, ok
}

// minors lists the catalog's minors, oldest first, as text for error messages.
func (c catalog) minors() string {
	var ks []spec.Version
	for _, k := range c.latest {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b spec.Version) int { return a.Compare(b) })
	var s []string
	for _, k := range ks {
		s = append(s, k.String())
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// nearestAbove is the oldest offered minor above v's ("1.35" for 1.34), else the newest offered
// one, as a spec.version to suggest ("" for an empty catalog).
func (c catalog) nearestAbove(v spec.Version) string {
	var best, newest spec.Version
	var found, some bool
	for _, k := range c.latest {
		if !some || k.Compare(newest) > 0 {
			newest, some = k, true
		}
		if k.CompareMinor(v) > 0 && (!found || k.Compare(best) < 0) {
			best, found = k, true
		}
	}
	switch {
	case found:
		return best.MinorString()
	case some:
		return newest.MinorString()
	}
	return ""
}
