package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func date(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

// catalog is a region list with 1.35 deprecated on 2027-01-19.
var catalog = []cloud.Version{
	{Name: "1.37.1", DeprecatedAt: date("2027-09-01"), EndOfLifeAt: date("2027-11-01")},
	{Name: "1.36.5", DeprecatedAt: date("2027-07-07"), EndOfLifeAt: date("2027-09-07")},
	{Name: "1.35.9", DeprecatedAt: date("2027-01-19"), EndOfLifeAt: date("2027-03-19")},
}

func input(specVersion, live string, now time.Time) Input {
	file := "clusters/prod.yaml"
	content := "# prod\napiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\nmetadata: {name: prod}\nspec:\n  region: fr-par\n  version: \"" + specVersion + "\" # the minor\n"
	c := &spec.Cluster{Metadata: spec.Metadata{Name: "prod"}, Spec: spec.ClusterSpec{Region: "fr-par", ProjectID: "p", Version: specVersion},
		Source: spec.Source{File: file, Line: 2}}
	snap := &cloud.Snapshot{Ref: cloud.Ref{Region: "fr-par", ProjectID: "p"}, Versions: catalog,
		Clusters: []cloud.Cluster{{Name: "prod", Region: "fr-par", Version: live, Status: "ready"}}}
	return Input{Clusters: []*spec.Cluster{c}, Files: map[string][]byte{file: []byte(content)}, Snapshots: []*cloud.Snapshot{snap}, Now: now}
}

func TestUpgradeProposedDaysBeforeDeprecation(t *testing.T) {
	depr := *date("2027-01-19")
	for _, tc := range []struct {
		now  time.Time
		days int
		want bool
	}{
		{depr.AddDate(0, 0, -30), 0, true},                    // exactly 30 days before: the default
		{depr.AddDate(0, 0, -30).Add(-time.Second), 0, false}, // a second earlier
		{depr.AddDate(0, 0, -31), 0, false},
		{depr.AddDate(0, 0, -45), 45, true},
		{depr.AddDate(0, 0, 10), 0, true}, // already deprecated
	} {
		in := input("1.35", "1.35.9", tc.now)
		in.DaysBeforeDeprecation = tc.days
		props, errs := Decide(in)
		if len(errs) > 0 || (len(props) == 1) != tc.want {
			t.Errorf("now %s, days %d: %d proposals %v, want %v", tc.now, tc.days, len(props), errs, tc.want)
			continue
		}
		if !tc.want {
			continue
		}
		p := props[0]
		if p.Kind != Upgrade || p.To != "1.36" || p.From != "1.35" || p.Branch != "reconciler/lifecycle/fr-par/prod" {
			t.Errorf("proposal %+v", p)
		}
		if !strings.Contains(string(p.Content), `  version: "1.36" # the minor`) || strings.Count(string(p.Content), "\n") != 7 {
			t.Errorf("content:\n%s", p.Content)
		}
		for _, s := range []string{"2027-01-19", "2027-03-19", "1.35.9"} {
			if !strings.Contains(p.Why+p.Title, s) {
				t.Errorf("title/body %q / %q lack %s", p.Title, p.Why, s)
			}
		}
	}
}

func TestUpgradeTargetsAndForms(t *testing.T) {
	now := *date("2027-01-01")
	// An exact spec gets the next minor's latest patch the cluster may go to.
	in := input("1.35.9", "1.35.9", now)
	in.Snapshots[0].Clusters[0].AvailableVersions = []string{"1.35.9", "1.36.2", "1.36.4"}
	props, _ := Decide(in)
	if len(props) != 1 || props[0].To != "1.36.4" {
		t.Errorf("exact spec: %+v, want 1.36.4 (the latest available 1.36)", props)
	}
	// The next minor not offered to the cluster: nothing to propose.
	in.Snapshots[0].Clusters[0].AvailableVersions = []string{"1.35.9"}
	if props, _ := Decide(in); len(props) != 0 {
		t.Errorf("no 1.36 available: %+v", props)
	}
	// The spec ahead of live: the plan upgrades, no pull request.
	if props, _ := Decide(input("1.36", "1.35.9", now)); len(props) != 0 {
		t.Errorf("spec ahead: %+v", props)
	}
	// No live cluster: nothing.
	in = input("1.35", "1.35.9", now)
	in.Snapshots[0].Clusters = nil
	if props, _ := Decide(in); len(props) != 0 {
		t.Errorf("not live: %+v", props)
	}
}

func TestSpecSyncAfterForcedUpgrade(t *testing.T) {
	in := input("1.34", "1.35.9", *date("2026-12-03"))
	// 1.34 is gone from the region's list; GetVersion of the live version says 1.35's dates.
	in.Snapshots[0].Clusters[0].LiveVersion = &catalog[2]
	props, errs := Decide(in)
	if len(errs) > 0 || len(props) != 1 {
		t.Fatalf("proposals %+v, errors %v", props, errs)
	}
	p := props[0]
	if p.Kind != SpecSync || p.To != "1.35" || !strings.Contains(string(p.Content), `version: "1.35" # the minor`) ||
		!strings.Contains(p.Why, "1.34 is no longer offered") || !strings.Contains(p.Why, "spec-behind") {
		t.Errorf("proposal %+v\n%s", p, p.Content)
	}
	in.Snapshots[0].Versions = append(in.Snapshots[0].Versions, cloud.Version{Name: "1.34.6", EndOfLifeAt: date("2026-11-29")})
	props, _ = Decide(in)
	if len(props) != 1 || !strings.Contains(props[0].Why, "1.34 reached end of life on 2026-11-29") {
		t.Errorf("with 1.34's dates: %+v", props)
	}
}

func TestDecideReportsAnUneditableFile(t *testing.T) {
	in := input("1.34", "1.35.9", *date("2026-12-03"))
	in.Clusters[0].Source.Line = 1 // no document starts there
	props, errs := Decide(in)
	if len(props) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "prod: clusters/prod.yaml") {
		t.Errorf("proposals %+v, errors %v", props, errs)
	}
}
