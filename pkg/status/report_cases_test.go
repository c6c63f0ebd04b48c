package status

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// webRepo is one cluster, web, in fr-par/p1.
func webRepo() *spec.Repo {
	return &spec.Repo{Clusters: []*spec.Cluster{{Metadata: spec.Metadata{Name: "web"},
		Source: spec.Source{File: "clusters/web.yaml"},
		Spec:   spec.ClusterSpec{Region: "fr-par", ProjectID: "p1"}}}}
}

func webLive(version string) cloud.Cluster {
	return cloud.Cluster{ID: "33333333-3333-4333-8333-333333333333", Name: "web", Region: "fr-par", ProjectID: "p1",
		Type: "kapsule", Status: "ready", Version: version, Tags: []string{"managed-by-gitops"},
		Pools: []cloud.Pool{{ID: "44444444-4444-4444-8444-444444444444", Name: "default", Status: "ready", Version: version,
			NodeType: "pro2_s", Size: 1, Nodes: []cloud.Node{{ID: "n1", Name: "scw-web-default-aaaa", Status: "ready", CreatedAt: t0}}}}}
}

func webSnapshot(c cloud.Cluster) []*cloud.Snapshot {
	return []*cloud.Snapshot{{Ref: cloud.Ref{Region: "fr-par", ProjectID: "p1"}, Clusters: []cloud.Cluster{c},
		Versions: []cloud.Version{{Name: "1.37.1"}, {Name: "1.36.5"}, {Name: "1.35.9"}}}}
}

// appliedWeb is the status of a pass that applied revision r1 (digest d1) to web at 1.36.5.
func appliedWeb(t *testing.T) *ClusterStatus {
	t.Helper()
	a := Assemble(Pass{Revision: "r1aaaaaaaaaaaaaa", SpecDigest: "d1", Repo: webRepo(), Ran: true,
		Plan:      &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1"}}},
		Snapshots: webSnapshot(webLive("1.36.5")), Now: t0}, nil)
	if len(a.Statuses) != 1 || a.Statuses[0].ObservedRevision != "r1aaaaaaaaaaaaaa" {
		t.Fatalf("first pass: %+v", a.Statuses)
	}
	return a.Statuses[0]
}

// A pass whose observation fails keeps the facts the previous pass observed, says when they were
// observed, shows the error before them, and says drift is unknown rather than "No drift".
func TestReportOnObserveErrorKeepsLastFacts(t *testing.T) {
	prev := appliedWeb(t)
	observedAt := t0.Add(10 * time.Minute)
	a := Assemble(Pass{Revision: "r1aaaaaaaaaaaaaa", SpecDigest: "d1", Repo: webRepo(), Ran: true,
		Err: errors.New("observe fr-par/p1: list clusters: scaleway-sdk-go: http error 503 Service Unavailable"),
		Now: t0.Add(20 * time.Minute), LastObservedAt: observedAt}, map[string]*ClusterStatus{"web": prev})
	s := a.Statuses[0]
	if s.ID != prev.ID || s.Version != "1.36.5" || len(s.Pools) != 1 || s.Pools[0].Nodes[0].Name != "scw-web-default-aaaa" {
		t.Fatalf("facts lost on error: id %q version %q pools %+v", s.ID, s.Version, s.Pools)
	}
	if s.LastObserved == nil || s.LastObserved.At == nil || !s.LastObserved.At.Equal(observedAt) || s.LastObserved.Revision != "r1aaaaaaaaaaaaaa" {
		t.Fatalf("lastObserved = %+v, want at %s by r1", s.LastObserved, observedAt)
	}
	if c := condition(s, Drifted); c.Status != "Unknown" || !strings.Contains(c.Message, "503") {
		t.Errorf("Drifted = %+v, want Unknown with the error", c)
	}
	r := string(Report(s))
	golden(t, "web-observe-error.report.md", []byte(r))
	if strings.Contains(r, "No drift") || !strings.Contains(r, "Drift unknown: observe fr-par/p1") {
		t.Errorf("report claims to know the drift:\n%s", r)
	}
	errAt, tableAt := strings.Index(r, "## Last error"), strings.Index(r, "| ID |")
	if errAt < 0 || tableAt < 0 || errAt > tableAt {
		t.Errorf("the error is not shown before the facts:\n%s", r)
	}
	for _, want := range []string{"| ID | `33333333-3333-4333-8333-333333333333` |", "| Version | 1.36.5 |",
		"| Observed | at 2026-10-01 08:10 UTC, revision `r1aaaaaaaaaa` (not by this pass: observe fr-par/p1", "| default | ready | 1.36.5 |"} {
		if !strings.Contains(r, want) {
			t.Errorf("report lacks %q:\n%s", want, r)
		}
	}
	// A second failing pass keeps the first observation time, not its own.
	again := Assemble(Pass{Revision: "r1aaaaaaaaaaaaaa", SpecDigest: "d1", Repo: webRepo(), Ran: true, Err: errors.New("still down"),
		LastObservedAt: observedAt.Add(time.Hour)}, map[string]*ClusterStatus{"web": s}).Statuses[0]
	if again.LastObserved == nil || !again.LastObserved.At.Equal(observedAt) || again.LastObserved.Reason != "still down" {
		t.Errorf("second failure: lastObserved = %+v", again.LastObserved)
	}
	// Observing again drops the note.
	back := Assemble(Pass{Revision: "r1aaaaaaaaaaaaaa", SpecDigest: "d1", Repo: webRepo(), Ran: true,
		Plan:      &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1"}}},
		Snapshots: webSnapshot(webLive("1.36.5"))}, map[string]*ClusterStatus{"web": again}).Statuses[0]
	if back.LastObserved != nil || condition(back, Drifted).Status != "False" {
		t.Errorf("after a good pass: lastObserved %+v, Drifted %+v", back.LastObserved, condition(back, Drifted))
	}
}

// An update applied to the specs already in force reverts drift: the status and the report say
// which field, the live value found, the spec's value written back, and when.
func TestReportRecordsDriftReverted(t *testing.T) {
	prev := appliedWeb(t)
	drifted := webLive("1.36.5")
	drifted.Tags = []string{"managed-by-gitops", "hand-edited"}
	update := plan.Action{ID: "web/update-cluster", Type: plan.UpdateCluster, Target: "cluster/web", Reason: "drift",
		Changes: []plan.Change{{Path: "spec.tags", Before: []any{"managed-by-gitops", "hand-edited"}, After: []any{"managed-by-gitops"}}}}
	applyPlan := &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1", Actions: []plan.Action{update}}}}
	result := &apply.Result{Clusters: []apply.ClusterResult{{Name: "web", Region: "fr-par", ProjectID: "p1", State: apply.ClusterApplied,
		Actions: []apply.ActionResult{{ID: update.ID, Type: plan.UpdateCluster, Outcome: apply.Done}}}}}
	at := t0.Add(2 * time.Hour)
	parisRepo := webRepo()
	parisRepo.Clusters[0].Spec.Upgrade = &spec.UpgradePolicy{Window: &spec.Window{Schedule: "0 2 * * SAT", Duration: spec.Duration{Duration: 4 * time.Hour}, TimeZone: "Europe/Paris"}}
	a := Assemble(Pass{Revision: "r1aaaaaaaaaaaaaa", SpecDigest: "d1", Repo: parisRepo, Ran: true, ApplyPlan: applyPlan, Result: result,
		Plan:      &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1"}}},
		Snapshots: webSnapshot(webLive("1.36.5")), Now: at}, map[string]*ClusterStatus{"web": prev})
	s := a.Statuses[0]
	want := []DriftRevert{{Field: "spec.tags", Before: []any{"managed-by-gitops", "hand-edited"}, After: []any{"managed-by-gitops"}, At: at, Action: "web/update-cluster"}}
	if diff := cmp.Diff(want, s.DriftReverted); diff != "" {
		t.Fatalf("driftReverted (-want +got):\n%s", diff)
	}
	y, err := MarshalYAML(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseYAML(y)
	if err != nil || len(back.DriftReverted) != 1 || back.DriftReverted[0].Field != "spec.tags" {
		t.Fatalf("the revert does not survive the status file: %v %+v", err, back)
	}
	r := Report(s)
	golden(t, "web-drift-reverted.report.md", r)
	if !strings.Contains(string(r), "| 2026-10-01 12:00 CEST | `spec.tags` | `[\"managed-by-gitops\",\"hand-edited\"]` | `[\"managed-by-gitops\"]` | `web/update-cluster` |") {
		t.Errorf("report lacks the revert:\n%s", r)
	}
	// The next quiet pass keeps the record; a new revision's update is a spec change, not a revert.
	quiet := Assemble(Pass{Revision: "r1aaaaaaaaaaaaaa", SpecDigest: "d1", Repo: webRepo(), Ran: true,
		Plan:      &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1"}}},
		Snapshots: webSnapshot(webLive("1.36.5"))}, map[string]*ClusterStatus{"web": s}).Statuses[0]
	if len(quiet.DriftReverted) != 1 {
		t.Errorf("a quiet pass dropped the revert record: %+v", quiet.DriftReverted)
	}
	edited := Assemble(Pass{Revision: "r2bbbbbbbbbbbbbb", SpecDigest: "d2", Repo: webRepo(), Ran: true, ApplyPlan: applyPlan, Result: result,
		Plan:      &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1"}}},
		Snapshots: webSnapshot(webLive("1.36.5")), Now: at.Add(time.Hour)}, map[string]*ClusterStatus{"web": quiet}).Statuses[0]
	if len(edited.DriftReverted) != 1 {
		t.Errorf("an update of a new revision was recorded as a drift revert: %+v", edited.DriftReverted)
	}
}

// Scaleway upgraded the cluster past the spec (its minor reached end of life): the report says so
// first, with what to change, and the rotation calendar reads in the window's zone.
func TestReportForcedUpgradeSpecBehind(t *testing.T) {
	live := webLive("1.36.5")
	cp := &plan.ClusterPlan{Name: "web", Region: "fr-par", ProjectID: "p1", ID: live.ID,
		Warnings:   []plan.Warning{{Code: "spec-behind", Message: "the live version 1.36.5 is ahead of the spec's 1.35: Scaleway upgraded the cluster (1.35 reached end of life on 2027-03-19); set spec.version to 1.36"}},
		SpecBehind: &plan.SpecBehind{Live: "1.36.5", Spec: "1.35", Reason: plan.BehindForcedUpgrade, Suggested: "1.36"},
		RotationCalendar: []plan.PoolCalendar{{Pool: "default", TimeZone: "Europe/Paris", Openings: []plan.CalendarOpening{{
			Start: time.Date(2026, 10, 30, 1, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 30, 4, 0, 0, 0, time.UTC), Nodes: []string{"scw-web-default-aaaa"}}}}}}
	repo := webRepo()
	repo.Clusters[0].Spec.Pools = []spec.Pool{{Name: "default", Rotation: &spec.Rotation{MaxAge: &spec.Duration{Duration: 720 * time.Hour},
		Window: &spec.Window{Schedule: "0 2 * * MON-FRI", Duration: spec.Duration{Duration: 3 * time.Hour}, TimeZone: "Europe/Paris"}}}}
	s := Assemble(Pass{Revision: "r1aaaaaaaaaaaaaa", SpecDigest: "d1", Repo: repo, Ran: true,
		Plan: &plan.Plan{Clusters: []plan.ClusterPlan{*cp}}, Snapshots: webSnapshot(live)}, nil).Statuses[0]
	if s.Pools[0].TimeZone != "Europe/Paris" {
		t.Fatalf("pool time zone = %q", s.Pools[0].TimeZone)
	}
	if c := condition(s, SpecBehind); c.Status != "True" || c.Reason != "ForcedUpgrade" {
		t.Errorf("SpecBehind = %+v", c)
	}
	r := string(Report(s))
	golden(t, "web-spec-behind.report.md", []byte(r))
	head := r[:strings.Index(r, "| ID |")]
	if !strings.Contains(head, "## Scaleway upgraded this cluster") || !strings.Contains(head, "set spec.version to 1.36") {
		t.Errorf("the forced upgrade is not said first:\n%s", r)
	}
	if !strings.Contains(r, "| default | 2026-10-30 02:00 CET | 2026-10-30 05:00 CET | scw-web-default-aaaa |") {
		t.Errorf("the calendar is not in the window's zone:\n%s", r)
	}
}

// UpgradeAvailable names the version the cluster can go to next.
func TestUpgradeAvailableNamesTheVersion(t *testing.T) {
	live := webLive("1.35.7")
	live.UpgradeAvailable = true
	s := Assemble(Pass{Revision: "r1", SpecDigest: "d1", Repo: webRepo(), Ran: true,
		Plan: &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1"}}}, Snapshots: webSnapshot(live)}, nil).Statuses[0]
	if c := condition(s, UpgradeAvailable); c.Status != "True" || c.Message != "1.35.9 available (live 1.35.7)" {
		t.Errorf("UpgradeAvailable = %+v", c)
	}
	live = webLive("1.35.9")
	live.UpgradeAvailable = true
	s = Assemble(Pass{Revision: "r1", SpecDigest: "d1", Repo: webRepo(), Ran: true,
		Plan: &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "web", Region: "fr-par", ProjectID: "p1"}}}, Snapshots: webSnapshot(live)}, nil).Statuses[0]
	if c := condition(s, UpgradeAvailable); c.Message != "1.36.5 available (live 1.35.9)" {
		t.Errorf("UpgradeAvailable = %+v", c)
	}
}
