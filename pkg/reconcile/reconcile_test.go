package reconcile

import (
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudfake"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// revision is files as a checkout at revision "abc123", loaded.
func revision(t testing.TB, files fstest.MapFS) (*checkout.Checkout, *spec.Repo) {
	t.Helper()
	repo, err := spec.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	return &checkout.Checkout{Revision: "abc123", FS: files}, repo
}

func cluster(name, region, extra string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: ` + name + `}
spec:
  region: ` + region + `
  version: "1.35"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
` + extra + `  pools:
    - {name: default, nodeType: PRO2-S, size: 1}
`)}
}

func TestOnceObservesOncePerRegionAndProjectThenApplies(t *testing.T) {
	clk := backofftest.NewInstantClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	fake := cloudfake.New(cloudfake.WithClock(clk), cloudfake.WithReadyAfter(time.Minute))
	co, repo := revision(t, fstest.MapFS{
		"clusters/a.yaml": cluster("a", "fr-par", ""),
		"clusters/b.yaml": cluster("b", "fr-par", ""),
		"clusters/c.yaml": cluster("c", "nl-ams", ""),
		"clusters/d.yaml": cluster("d", "fr-par", "  projectID: 9c6a0000-0000-4000-8000-000000000001\n"),
	})
	r := &Reconciler{
		Provider: fake, Clock: clk, DefaultProjectID: "p-default", DefaultRegion: "pl-waw",
		Exec: &apply.Executor{Provider: fake, Clock: clk, Concurrency: 1},
	}

	pass, err := r.Once(t.Context(), ModePlan, co, repo)
	if err != nil {
		t.Fatal(err)
	}
	var observed []string
	for _, c := range fake.Calls() {
		if c.Method == "Observe" {
			observed = append(observed, c.Region+"/"+c.ID)
		}
	}
	// the profile's scope (pl-waw) is observed although no spec is in it: the deletion check needs it
	want := []string{"fr-par/9c6a0000-0000-4000-8000-000000000001", "fr-par/p-default", "nl-ams/p-default", "pl-waw/p-default"}
	if diff := cmp.Diff(want, observed); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	if pass.Result != nil || len(fake.CallNames(true)) != 0 || pass.Plan.Revision != "abc123" || pass.Plan.Summary.Create != 4 {
		t.Fatalf("plan mode: result %v, mutations %v, plan %+v", pass.Result, fake.CallNames(true), pass.Plan.Summary)
	}

	pass, err = r.Once(t.Context(), ModeApply, co, repo)
	if err != nil {
		t.Fatal(err)
	}
	if pass.Result == nil || pass.Result.Failed() || pass.Result.Count(apply.Done) != 4 {
		t.Fatalf("apply mode: %+v", pass.Result)
	}
	pass, err = r.Once(t.Context(), ModeApply, co, repo) // converged: the next pass has nothing to do
	if err != nil {
		t.Fatal(err)
	}
	if !pass.Plan.Empty() || pass.Result != nil {
		t.Errorf("after apply the plan is not empty: %+v", pass.Plan.Clusters)
	}
	snap, _ := fake.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: "p-default"})
	if len(snap.Clusters) != 2 {
		t.Errorf("fr-par/p-default clusters = %d, want 2", len(snap.Clusters))
	}
}

// TestDeletionNeedsLiveEvidence: with the spec gone and repo prune on, a cluster is deleted only
// when the live cluster carries this repository's owner tag and deletion-protection=false, and a
// status file (when there is one) records the same id and no protection (docs/contracts.md §7). A status
// file can only make the reconciler more careful.
func TestDeletionNeedsLiveEvidence(t *testing.T) {
	mine := []string{cloud.ManagedByTag, cloud.OwnerTag("repo-a"), cloud.ProtectionTag(false)}
	for _, tc := range []struct {
		name          string
		tags          []string
		status        string // "" none, "match", "other-id", "protected"
		deletes, orph int
	}{
		{"evidence and matching status", mine, "match", 1, 0},
		{"evidence, no status: an orphan", mine, "", 1, 1},
		{"live protected, status says unprotected", []string{cloud.ManagedByTag, cloud.OwnerTag("repo-a"), cloud.ProtectionTag(true)}, "match", 0, 0},
		{"status of another cluster id", mine, "other-id", 0, 0},
		{"status says protected", mine, "protected", 0, 0},
		{"another repository's cluster", []string{cloud.ManagedByTag, cloud.OwnerTag("repo-b"), cloud.ProtectionTag(false)}, "match", 0, 0},
		{"legacy tag only", []string{cloud.ManagedByTag}, "match", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := backofftest.NewInstantClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
			fake := cloudfake.New(cloudfake.WithClock(clk), cloudfake.WithReadyAfter(time.Minute))
			ref := cloud.Ref{Region: "fr-par", ProjectID: "p-default"}
			live, err := fake.CreateCluster(t.Context(), ref, cloud.Cluster{Name: "gone", Type: "kapsule", Version: "1.35.3",
				Tags: tc.tags, Pools: []cloud.Pool{{Name: "default", NodeType: "PRO2-S", Size: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			clk.Step(time.Hour)
			files := fstest.MapFS{
				"reconciler.yaml": {Data: []byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nprune: true\n")},
				"clusters/a.yaml": cluster("a", "fr-par", ""),
			}
			if tc.status != "" {
				id := live.ID
				if tc.status == "other-id" {
					id = "00000000-0000-4000-8000-0000000000ff"
				}
				files["status/gone.yaml"] = &fstest.MapFile{Data: statusFile(t, "gone", "fr-par", "p-default", id, tc.status == "protected")}
			}
			co, repo := revision(t, files)
			r := &Reconciler{Provider: fake, Clock: clk, Owner: "repo-a",
				DefaultProjectID: "p-default", DefaultRegion: "fr-par"}
			pass, err := r.Plan(t.Context(), co, repo)
			if err != nil {
				t.Fatal(err)
			}
			if s := pass.Plan.Summary; s.Delete != tc.deletes || s.Orphans != tc.orph {
				t.Errorf("summary %+v, want %d delete(s), %d orphan(s); plan %+v", s, tc.deletes, tc.orph, pass.Plan.Clusters)
			}
		})
	}
}

// statusFile renders the status of an applied cluster with the given live id.
func statusFile(t *testing.T, name, region, project, id string, protected bool) []byte {
	t.Helper()
	b, err := status.MarshalYAML(status.Build(status.Input{Cluster: name, Region: region, ProjectID: project,
		Revision: "r0", Applied: true, DeletionProtection: protected, Live: &cloud.Cluster{ID: id, Status: "ready"}}))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRemovedSpecInAnUnwatchedScopeIsStillSeen: the last spec of a region is removed; the scope
// recorded in its status file is still observed, so the deletion rule (and its warning) applies.
func TestRemovedSpecInAnUnwatchedScopeIsStillSeen(t *testing.T) {
	clk := backofftest.NewInstantClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	fake := cloudfake.New(cloudfake.WithClock(clk), cloudfake.WithReadyAfter(time.Minute))
	ams := cloud.Ref{Region: "nl-ams", ProjectID: "p-other"}
	live, err := fake.CreateCluster(t.Context(), ams, cloud.Cluster{Name: "gone", Type: "kapsule", Version: "1.35.3",
		Tags:  []string{cloud.ManagedByTag, cloud.OwnerTag("repo-a"), cloud.ProtectionTag(false)},
		Pools: []cloud.Pool{{Name: "default", NodeType: "PRO2-S", Size: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Step(time.Hour)
	co, repo := revision(t, fstest.MapFS{
		"reconciler.yaml":  {Data: []byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nprune: true\nowner: repo-a\n")},
		"status/gone.yaml": {Data: statusFile(t, "gone", "nl-ams", "p-other", live.ID, false)},
	})
	r := &Reconciler{Provider: fake, Clock: clk, DefaultProjectID: "p-default", DefaultRegion: "fr-par"}
	pass, err := r.Plan(t.Context(), co, repo)
	if err != nil {
		t.Fatal(err)
	}
	if pass.Plan.Summary.Delete != 1 {
		t.Fatalf("want the removed cluster in nl-ams/p-other deleted, plan: %+v", pass.Plan.Clusters)
	}
}

// The identity in force is the operator's; reconciler.yaml's owner: only declares it.
func TestOwnerOfIsTheOperators(t *testing.T) {
	declared := func(o string) *spec.Repo { return &spec.Repo{Settings: &spec.Settings{Owner: o}} }
	for _, tc := range []struct {
		repo     *spec.Repo
		operator string
		want     string
		mismatch bool
	}{
		{declared(""), "repo-1a2b3c4d5e", "repo-1a2b3c4d5e", false},
		{declared("team-a"), "team-a", "team-a", false},
		{declared("team-b"), "repo-1a2b3c4d5e", "", true},
		{declared("team-a"), "", "team-a", false}, // no operator identity (a local directory)
		{nil, "team-a", "team-a", false},
	} {
		got, err := OwnerOf(tc.repo, tc.operator)
		var m *OwnerMismatchError
		if got != tc.want || errors.As(err, &m) != tc.mismatch {
			t.Errorf("OwnerOf(%+v, %q) = %q, %v; want %q, mismatch %v", tc.repo, tc.operator, got, err, tc.want, tc.mismatch)
		}
	}
}
