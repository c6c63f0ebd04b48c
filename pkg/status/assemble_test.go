package status

import (
	"slices"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Assemble matches specs, live clusters, plans and apply results by plan.Key: a cluster of the
// same name in another project is not this spec's, and a deleted cluster's status goes with it.
func TestAssembleMatchesByKey(t *testing.T) {
	repo := &spec.Repo{Clusters: []*spec.Cluster{{Metadata: spec.Metadata{Name: "web"},
		Spec: spec.ClusterSpec{Region: "fr-par", ProjectID: "p1"}}}}
	snaps := []*cloud.Snapshot{
		{Ref: cloud.Ref{Region: "fr-par", ProjectID: "p2"}, Clusters: []cloud.Cluster{{ID: "other", Name: "web", Status: "ready"}}},
		{Ref: cloud.Ref{Region: "fr-par", ProjectID: "p1"}, Clusters: []cloud.Cluster{{ID: "mine", Name: "web", Status: "ready"}}},
	}
	pl := &plan.Plan{Clusters: []plan.ClusterPlan{
		{Name: "web", Region: "fr-par", ProjectID: "p2", ID: "other", Warnings: []plan.Warning{{Code: "x", Message: "not mine"}}},
		{Name: "web", Region: "fr-par", ProjectID: "p1", ID: "mine"},
	}}
	res := &apply.Result{Clusters: []apply.ClusterResult{
		{Name: "gone", Region: "fr-par", ProjectID: "p1", State: apply.ClusterApplied,
			Actions: []apply.ActionResult{{ID: "gone/delete-cluster", Type: plan.DeleteCluster, Outcome: apply.Done}}},
	}}
	a := Assemble(Pass{Revision: "r1", SpecDigest: "d1", Repo: repo, Ran: true, Plan: pl, Snapshots: snaps, Result: res},
		map[string]*ClusterStatus{"gone": {Cluster: "gone", Region: "fr-par", ProjectID: "p1"}})
	if len(a.Statuses) != 1 {
		t.Fatalf("statuses = %d, want web's only", len(a.Statuses))
	}
	web := a.Statuses[0]
	if web.ID != "mine" || len(web.Warnings) != 0 || web.ObservedRevision != "r1" || web.SpecDigest != "d1" {
		t.Errorf("web = id %q warnings %v observed %q digest %q, want its own project's cluster, applied r1", web.ID, web.Warnings, web.ObservedRevision, web.SpecDigest)
	}
	if !slices.Contains(a.Deleted, "gone") || !slices.Contains(a.Deleted, RepositoryName) {
		t.Errorf("deleted = %v, want gone (deleted by the pass) and the repository status (no orphan)", a.Deleted)
	}
}
