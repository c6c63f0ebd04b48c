package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// kver is a Kubernetes version: a minor ("1.35") or an exact patch ("1.35.3").
type kver struct {
	major, minor, patch int
	exact               bool
}

func parseVersion(s string) (kver, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return kver{}, fmt.Errorf("invalid version %q: must be MAJOR.MINOR or MAJOR.MINOR.PATCH", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return kver{}, fmt.Errorf("invalid version %q: must be MAJOR.MINOR or MAJOR.MINOR.PATCH", s)
		}
		n[i] = v
	}
	return kver{major: n[0], minor: n[1], patch: n[2], exact: len(parts) == 3}, nil
}

func (v kver) String() string {
	if v.exact {
		return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
	}
	return v.minorString()
}

func (v kver) minorString() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

func (v kver) cmpMinor(o kver) int {
	return cmp.Or(cmp.Compare(v.major, o.major), cmp.Compare(v.minor, o.minor))
}

// cmpExact orders two exact versions.
func (v kver) cmpExact(o kver) int {
	return cmp.Or(v.cmpMinor(o), cmp.Compare(v.patch, o.patch))
}

// catalog indexes a region's version catalog by minor.
type catalog struct {
	byMinor map[string]cloud.Version
	latest  map[string]kver
}

func newCatalog(vs []cloud.Version) catalog {
	c := catalog{byMinor: map[string]cloud.Version{}, latest: map[string]kver{}}
	for _, v := range vs {
		k, err := parseVersion(v.Name)
		if err != nil || !k.exact {
			continue
		}
		m := k.minorString()
		if old, ok := c.latest[m]; ok && old.cmpExact(k) >= 0 {
			continue
		}
		c.byMinor[m] = v
		c.latest[m] = k
	}
	return c
}

// latestOf returns the latest patch the catalog offers for v's minor.
func (c catalog) latestOf(v kver) (kver, bool) {
	k, ok := c.latest[v.minorString()]
	return k, ok
}

// entry returns the catalog entry of v's minor.
func (c catalog) entry(v kver) (cloud.Version, bool) {
	e, ok := c.byMinor[v.minorString()]
	return e, ok
}

// minors lists the catalog's minors, oldest first, as text for error messages.
func (c catalog) minors() string {
	var ks []kver
	for _, k := range c.latest {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b kver) int { return a.cmpExact(b) })
	var s []string
	for _, k := range ks {
		s = append(s, k.String())
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
