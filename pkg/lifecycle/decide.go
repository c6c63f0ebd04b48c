package lifecycle

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// DefaultDaysBeforeDeprecation is how early the upgrade pull request is opened by default.
const DefaultDaysBeforeDeprecation = 30

// BranchPrefix starts every lifecycle branch; the loop owns the branches under it.
const BranchPrefix = "reconciler/lifecycle/"

// Kind is what a proposal does.
type Kind string

// Kinds.
const (
	// Upgrade bumps spec.version one minor before the live minor's deprecation.
	Upgrade Kind = "upgrade"
	// SpecSync sets spec.version to the live minor Scaleway moved the cluster to.
	SpecSync Kind = "spec-sync"
)

// Input is what Decide reads.
type Input struct {
	// Clusters are the loaded specs (Source gives each one's file and line).
	Clusters []*spec.Cluster
	// Files are the spec files' bytes, by Source.File.
	Files     map[string][]byte
	Snapshots []*cloud.Snapshot
	Now       time.Time
	// DaysBeforeDeprecation; 0 means DefaultDaysBeforeDeprecation.
	DaysBeforeDeprecation int
}

// Proposal is one pull request the loop should have open.
type Proposal struct {
	Cluster, Region, ProjectID string
	Kind                       Kind
	// File is the spec file and Content its proposed bytes (only spec.version changed).
	File    string
	Content []byte
	Branch  string
	Title   string
	// From and To are spec.version before and after; Live is the live version.
	From, To, Live string
	// Why is the body's opening paragraph: what Scaleway does and when (with the dates).
	Why string
}

// Decide lists the pull requests wanted now, in the clusters' order, and the clusters it could
// not decide for (a spec file it cannot edit).
func Decide(in Input) ([]Proposal, []error) {
	days := cmp.Or(in.DaysBeforeDeprecation, DefaultDaysBeforeDeprecation)
	var out []Proposal
	var errs []error
	for _, c := range in.Clusters {
		live, cat := find(in.Snapshots, c)
		if live == nil {
			continue
		}
		p, ok := decide(c, live, cat, in.Now, days)
		if !ok {
			continue
		}
		content, err := SetVersion(in.Files[c.Source.File], c.Source.Line, p.To)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", c.Metadata.Name, c.Source.File, err))
			continue
		}
		p.Content = content
		out = append(out, p)
	}
	return out, errs
}

// Branch is the one branch of cluster name in region.
func Branch(region, name string) string { return BranchPrefix + region + "/" + name }

func decide(c *spec.Cluster, live *cloud.Cluster, cat []cloud.Version, now time.Time, days int) (Proposal, bool) {
	lv, err := spec.ParseVersion(live.Version)
	if err != nil || !lv.Exact {
		return Proposal{}, false
	}
	sv, err := spec.ParseVersion(c.Spec.Version)
	if err != nil || sv.Major != lv.Major {
		return Proposal{}, false
	}
	p := Proposal{Cluster: c.Metadata.Name, Region: c.Spec.Region, ProjectID: c.Spec.ProjectID, File: c.Source.File,
		Branch: Branch(c.Spec.Region, c.Metadata.Name), From: c.Spec.Version, Live: live.Version}
	facts := func(v spec.Version) (cloud.Version, bool) { return entry(live, cat, v) }
	switch d := sv.CompareMinor(lv); {
	case d < 0:
		p.Kind, p.To = SpecSync, sameForm(sv, lv)
		p.Title = fmt.Sprintf("Sync %s's spec.version to %s (Scaleway upgraded it from %s)", p.Cluster, p.To, sv.MinorString())
		why := "an upgrade Scaleway made"
		if e, ok := facts(sv); ok && e.EndOfLifeAt != nil && !now.Before(*e.EndOfLifeAt) {
			why = fmt.Sprintf("a forced upgrade: %s reached end of life on %s", sv.MinorString(), day(*e.EndOfLifeAt))
		} else if !ok {
			why = fmt.Sprintf("a forced upgrade: %s is no longer offered", sv.MinorString())
		}
		p.Why = fmt.Sprintf("Scaleway moved cluster **%s** to %s (%s). Its spec still says `%s`, so every plan warns `spec-behind`. "+
			"This pull request sets `spec.version` to `%s`; nothing changes on the cluster.", p.Cluster, lv, why, c.Spec.Version, p.To)
		return p, true
	case d > 0:
		return Proposal{}, false // the spec is ahead: the plan upgrades
	}
	e, ok := facts(lv)
	if !ok || e.DeprecatedAt == nil || now.Before(e.DeprecatedAt.AddDate(0, 0, -days)) {
		return Proposal{}, false
	}
	next := spec.Version{Major: lv.Major, Minor: lv.Minor + 1}
	latest, offered := nextOffered(live, cat, next)
	if !offered {
		return Proposal{}, false
	}
	p.Kind, p.To = Upgrade, sameForm(sv, latest)
	p.Title = fmt.Sprintf("Upgrade %s to Kubernetes %s (%s is deprecated on %s)", p.Cluster, next.MinorString(), lv.MinorString(), day(*e.DeprecatedAt))
	eol := ""
	if e.EndOfLifeAt != nil {
		eol = fmt.Sprintf(" and reaches end of life on %s, when Scaleway force-upgrades the clusters still on it", day(*e.EndOfLifeAt))
	}
	p.Why = fmt.Sprintf("Kubernetes %s (cluster **%s** runs %s) is deprecated on %s%s. "+
		"This pull request bumps `spec.version` from `%s` to `%s` (one minor); once merged, the reconciler upgrades the cluster in its upgrade window.",
		lv.MinorString(), p.Cluster, lv, day(*e.DeprecatedAt), eol, c.Spec.Version, p.To)
	return p, true
}

// sameForm is v written as the spec writes its version: a minor, or an exact patch.
func sameForm(spec, v spec.Version) string {
	if spec.Exact {
		return v.String()
	}
	return v.MinorString()
}

// entry is the catalog facts of v's minor: the cluster's own GetVersion answer when it is that
// minor, else the region's list.
func entry(live *cloud.Cluster, cat []cloud.Version, v spec.Version) (cloud.Version, bool) {
	if lv := live.LiveVersion; lv != nil {
		if k, err := spec.ParseVersion(lv.Name); err == nil && k.CompareMinor(v) == 0 {
			return *lv, true
		}
	}
	for _, e := range cat {
		if k, err := spec.ParseVersion(e.Name); err == nil && k.CompareMinor(v) == 0 {
			return e, true
		}
	}
	return cloud.Version{}, false
}

// nextOffered is the latest patch of minor next the cluster may go to: from its available
// versions when observed, else from the region's list.
func nextOffered(live *cloud.Cluster, cat []cloud.Version, next spec.Version) (spec.Version, bool) {
	names := live.AvailableVersions
	if names == nil {
		for _, e := range cat {
			names = append(names, e.Name)
		}
	}
	var best spec.Version
	found := false
	for _, n := range names {
		k, err := spec.ParseVersion(n)
		if err != nil || !k.Exact || k.CompareMinor(next) != 0 {
			continue
		}
		if !found || k.Compare(best) > 0 {
			best, found = k, true
		}
	}
	return best, found
}

// find is the one live cluster c names, and its region's catalog.
func find(snaps []*cloud.Snapshot, c *spec.Cluster) (*cloud.Cluster, []cloud.Version) {
	for _, s := range snaps {
		if s == nil || s.Ref.Region != c.Spec.Region || (c.Spec.ProjectID != "" && s.Ref.ProjectID != c.Spec.ProjectID) {
			continue
		}
		i := slices.IndexFunc(s.Clusters, func(l cloud.Cluster) bool { return l.Name == c.Metadata.Name && l.Status != "deleting" })
		if i < 0 {
			continue
		}
		if slices.ContainsFunc(s.Clusters[i+1:], func(l cloud.Cluster) bool { return l.Name == c.Metadata.Name && l.Status != "deleting" }) {
			return nil, nil // ambiguous: the plan reports it
		}
		return &s.Clusters[i], s.Versions
	}
	return nil, nil
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }
