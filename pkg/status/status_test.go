package status

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)

func liveCluster() *cloud.Cluster {
	return &cloud.Cluster{
		ID: "11111111-1111-4111-8111-111111111111", Name: "prod-par", Region: "fr-par", Type: "kapsule",
		Status: "ready", Version: "1.34.6",
		Pools: []cloud.Pool{{
			ID: "22222222-2222-4222-8222-222222222222", Name: "default", Status: "ready", Version: "1.34.6",
			NodeType: "pro2_s", Size: 2,
			Nodes: []cloud.Node{
				{ID: "n2", Name: "scw-prod-par-default-bbbb", Status: "ready", CreatedAt: t0.Add(48 * time.Hour)},
				{ID: "n1", Name: "scw-prod-par-default-aaaa", Status: "ready", CreatedAt: t0},
			},
		}},
	}
}

func pendingPlan() *plan.ClusterPlan {
	return &plan.ClusterPlan{
		Name: "prod-par", Region: "fr-par",
		Actions: []plan.Action{
			{ID: "prod-par/update-cluster", Type: plan.UpdateCluster, Target: "cluster/prod-par", Reason: "spec-changed",
				Changes: []plan.Change{{Path: "spec.tags", Before: []any{"a"}, After: []any{"a", "b"}}}},
			{ID: "prod-par/upgrade-cluster/1.35.3", Type: plan.UpgradeCluster, Target: "cluster/prod-par", Reason: "version-behind",
				Details: map[string]string{"version": "1.35.3"}},
		},
		Deferred: []plan.Deferred{{Action: plan.Action{ID: "prod-par/upgrade-cluster/1.36.1", Type: plan.UpgradeCluster,
			Details: map[string]string{"version": "1.36.1"}}, Why: "outside-window", Message: "next window opens 2026-10-03T02:00:00+02:00"}},
		Warnings: []plan.Warning{{Code: "version-end-of-life", Message: "1.34 reaches end of life on 2026-11-29"}},
	}
}

func condition(s *ClusterStatus, t ConditionType) Condition {
	for _, c := range s.Conditions {
		if c.Type == t {
			return c
		}
	}
	return Condition{}
}

func TestConditions(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		want map[ConditionType]string // type -> "Status/Reason"
	}{
		{"converged", Input{Cluster: "prod-par", Revision: "abc", Applied: true, Live: liveCluster(), Plan: &plan.ClusterPlan{}},
			map[ConditionType]string{Ready: "True/Succeeded", Reconciling: "False/Succeeded", Stalled: "False/Succeeded", Drifted: "False/NoDrift"}},
		{"pending plan", Input{Cluster: "prod-par", Revision: "abc", Live: liveCluster(), Plan: pendingPlan()},
			map[ConditionType]string{Ready: "False/ChangesPending", Reconciling: "True/ChangesPending", Drifted: "True/DriftDetected",
				UpgradeAvailable: "True/UpgradePlanned", VersionEndOfLife: "True/EndOfLife"}},
		{"validation", Input{Cluster: "prod-par", Revision: "bad", Live: liveCluster(), ValidationErrors: []string{"clusters/a.yaml:3:1: spec.version: malformed"}},
			map[ConditionType]string{Ready: "False/ValidationFailed", Stalled: "True/ValidationFailed"}},
		{"terminal", Input{Cluster: "prod-par", Revision: "abc", Live: liveCluster(), Err: "quota exceeded", Terminal: true},
			map[ConditionType]string{Ready: "False/ApplyFailed", Stalled: "True/ApplyFailed"}},
		{"transient", Input{Cluster: "prod-par", Revision: "abc", Live: liveCluster(), Err: "cluster is in a transient state"},
			map[ConditionType]string{Ready: "False/Retrying", Reconciling: "True/Retrying", Stalled: "False/Retrying"}},
		{"not created", Input{Cluster: "prod-par", Revision: "abc"},
			map[ConditionType]string{Ready: "False/NotCreated", Reconciling: "True/NotCreated"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Build(c.in)
			if len(s.Conditions) != len(ConditionTypes) {
				t.Fatalf("got %d conditions, want %d", len(s.Conditions), len(ConditionTypes))
			}
			for typ, want := range c.want {
				got := condition(s, typ)
				if got.Status+"/"+got.Reason != want {
					t.Errorf("%s = %s/%s (%q), want %s", typ, got.Status, got.Reason, got.Message, want)
				}
			}
		})
	}
}

func TestObservedRevisionOnlyOnSuccess(t *testing.T) {
	prev := Build(Input{Cluster: "prod-par", Revision: "good", Applied: true, DeletionProtection: false, Live: liveCluster()})
	if prev.ObservedRevision != "good" || prev.LastApplied == nil || prev.LastApplied.DeletionProtection {
		t.Fatalf("first pass: %+v", prev)
	}
	bad := Build(Input{Cluster: "prod-par", Revision: "bad", Live: liveCluster(), Previous: prev,
		ValidationErrors: []string{"x"}, DeletionProtection: true})
	if bad.ObservedRevision != "good" || bad.LastAttemptedRevision != "bad" {
		t.Errorf("after a bad revision: observed %q attempted %q", bad.ObservedRevision, bad.LastAttemptedRevision)
	}
	if bad.LastApplied.DeletionProtection {
		t.Error("a failed revision must not change the recorded last applied spec")
	}
}

func TestDriftReportOnlyPolicy(t *testing.T) {
	s := Build(Input{Cluster: "prod-par", Live: liveCluster(), Plan: pendingPlan(), DriftPolicy: "report"})
	want := []Drift{{Field: "spec.tags", Spec: []any{"a", "b"}, Live: []any{"a"}, Action: "report-only"}}
	if diff := cmp.Diff(want, s.Drift); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
}

func TestRenderIsStableAndRoundTrips(t *testing.T) {
	in := Input{Cluster: "prod-par", Region: "fr-par", Revision: "0123456789abcdef", Live: liveCluster(), Plan: pendingPlan(),
		MaxAge:   map[string]time.Duration{"default": 720 * time.Hour},
		Calendar: map[string][]Rotation{"default": {{WindowStart: t0.Add(30 * 24 * time.Hour), WindowEnd: t0.Add(30*24*time.Hour + 3*time.Hour), Nodes: []string{"scw-prod-par-default-aaaa"}}}}}
	a, err := MarshalYAML(Build(in))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := MarshalYAML(Build(in))
	if string(a) != string(b) {
		t.Fatal("two renders of the same input differ")
	}
	back, err := ParseYAML(a)
	if err != nil {
		t.Fatal(err)
	}
	if back.Pools[0].Nodes[0].Name != "scw-prod-par-default-aaaa" {
		t.Errorf("nodes not sorted oldest first: %+v", back.Pools[0].Nodes)
	}
	if back.Pools[0].Nodes[0].RotationDue == nil || !back.Pools[0].Nodes[0].RotationDue.Equal(t0.Add(720*time.Hour)) {
		t.Errorf("rotation due = %v", back.Pools[0].Nodes[0].RotationDue)
	}
	golden(t, "prod-par.status.yaml", a)
	golden(t, "prod-par.report.md", Report(Build(in)))
	if _, err := ParseYAML([]byte("kind: Other\n")); err == nil {
		t.Error("ParseYAML accepted a document of another kind")
	}
}

func TestReportShowsErrors(t *testing.T) {
	r := string(Report(Build(Input{Cluster: "c", Revision: "bad", ValidationErrors: []string{"clusters/c.yaml:4:3: spec.pools[0].size: must be >= 0"}})))
	if !strings.Contains(r, "clusters/c.yaml:4:3: spec.pools[0].size") || !strings.Contains(r, "nothing was applied") {
		t.Errorf("report misses the validation error:\n%s", r)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// docs/contracts.md §7 fails closed: once a valid spec with deletionProtection: true has been attempted,
// the record protects the cluster even if that apply failed; only a completed apply lowers it.
func TestDeletionProtectionRecordedOnAttempt(t *testing.T) {
	prev := Build(Input{Cluster: "prod-par", Revision: "unprotected", Applied: true, DeletionProtection: false, Live: liveCluster()})
	if prev.LastApplied == nil || prev.LastApplied.DeletionProtection {
		t.Fatalf("first pass: %+v", prev.LastApplied)
	}
	failed := Build(Input{Cluster: "prod-par", Revision: "protected", Live: liveCluster(), Previous: prev,
		DeletionProtection: true, Err: "update cluster: quotas exceeded", Terminal: true})
	if failed.LastApplied == nil || !failed.LastApplied.DeletionProtection {
		t.Fatalf("a failed apply of deletionProtection: true left the record at %+v: the cluster could be deleted", failed.LastApplied)
	}
	if failed.ObservedRevision != "unprotected" {
		t.Errorf("observedRevision = %q, want the last applied %q", failed.ObservedRevision, "unprotected")
	}
	lowered := Build(Input{Cluster: "prod-par", Revision: "unprotect-again", Live: liveCluster(), Previous: failed,
		DeletionProtection: false, Err: "update cluster: quotas exceeded"})
	if !lowered.LastApplied.DeletionProtection {
		t.Error("a failed apply of deletionProtection: false lowered the protection")
	}
}

func TestRecentActionsKeepSkipsThatAreNews(t *testing.T) {
	s := Build(Input{Cluster: "c", Revision: "r", Live: liveCluster(), Outcomes: []ActionOutcome{
		{ID: "c/create-pool/web", Outcome: "skipped", Message: "already-exists"},
		{ID: "c/rotate-node/web/n1", Outcome: "skipped", Message: "rotation-skipped: blocked by PodDisruptionBudget shop/web"},
		{ID: "c/upgrade-cluster/1.35.3", Outcome: "done"},
	}})
	var ids []string
	for _, a := range s.RecentActions {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"c/rotate-node/web/n1", "c/upgrade-cluster/1.35.3"}, ids); diff != "" {
		t.Errorf("recent actions (-want +got):\n%s", diff)
	}
}

// A cluster the reconciler does not manage gets a status that says so: NotOwned, never
// "applied", no record of a last applied spec, its drift shown as not managed.
func TestNotOwnedClusterStatusSaysSo(t *testing.T) {
	cp := &plan.ClusterPlan{Name: "prod-par", Region: "fr-par", ID: "c1",
		Warnings: []plan.Warning{{Code: "not-owned", Message: "live cluster prod-par (c1) lacks the managed-by=reconciler tag and spec.adopt is false: it is left untouched"}},
		Deferred: []plan.Deferred{{Why: plan.WhyNotOwned, Action: plan.Action{ID: "prod-par/update-cluster", Type: plan.UpdateCluster,
			Changes: []plan.Change{{Path: "spec.description", Before: "hand-made", After: "from git"}}}}}}
	prev := Build(Input{Cluster: "prod-par", Revision: "r0", Applied: true, DeletionProtection: false, Live: liveCluster()})
	s := Build(Input{Cluster: "prod-par", Region: "fr-par", Revision: "r1", Applied: true, DeletionProtection: false,
		Live: liveCluster(), Plan: cp, Previous: prev})
	if s.ObservedRevision != "" || s.LastApplied != nil {
		t.Errorf("observedRevision %q lastApplied %+v: nothing is applied to a cluster not owned", s.ObservedRevision, s.LastApplied)
	}
	conds := map[ConditionType]Condition{}
	for _, c := range s.Conditions {
		conds[c.Type] = c
	}
	if c := conds[NotOwned]; c.Status != "True" || !strings.Contains(c.Message, "lacks the managed-by=reconciler tag") {
		t.Errorf("NotOwned = %+v", c)
	}
	if c := conds[Ready]; c.Status != "False" || c.Reason != "NotOwned" || strings.Contains(c.Message, "applied") {
		t.Errorf("Ready = %+v, want False/NotOwned without \"applied\"", c)
	}
	if c := conds[Drifted]; c.Status != "True" {
		t.Errorf("Drifted = %+v, want the drift computed", c)
	}
	if len(s.Drift) != 1 || s.Drift[0].Action != "not-managed" || s.Drift[0].Field != "spec.description" {
		t.Errorf("drift = %+v, want spec.description shown as not-managed", s.Drift)
	}
}
