package reconcile

import (
	"errors"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudfake"
)

// A catalog that cannot be read does not stop the pass: the plan proceeds, with a warning that
// the zone's node types were not checked; zones read fine are still checked.
func TestUnreadableCatalogWarnsAndPlans(t *testing.T) {
	clk := backofftest.NewInstantClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	fake := cloudfake.New(cloudfake.WithClock(clk))
	fake.FailNext("ListNodeTypes", &cloud.TransientError{Reason: "server_error", Err: errors.New("http error 503 Service Unavailable")})
	r := &Reconciler{Provider: fake, Clock: clk, DefaultProjectID: "p-default"}
	co, repo := revision(t, fstest.MapFS{"clusters/a.yaml": cluster("a", "fr-par", "")})

	pass, err := r.Plan(t.Context(), co, repo)
	if err != nil {
		t.Fatal(err)
	}

	var codes []string
	for _, w := range pass.Plan.Clusters[0].Warnings {
		codes = append(codes, w.Code)
	}
	if len(pass.Plan.Clusters[0].Actions) != 1 || !slices.Contains(codes, "node-types-unchecked") {
		t.Errorf("actions %v warnings %v, want the create-cluster and node-types-unchecked", pass.Plan.Clusters[0].Actions, codes)
	}
	z := pass.Snapshots[0].Zone("fr-par-1")
	if z == nil || z.Error == "" {
		t.Errorf("snapshot zone fr-par-1 = %+v, want its read error kept", z)
	}
}

// One read per distinct zone, stored in each scope that uses it; external (Kosmos) pools have
// no zone catalog to read.
func TestZonesAreReadOncePerZone(t *testing.T) {
	clk := backofftest.NewInstantClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	fake := cloudfake.New(cloudfake.WithClock(clk))
	r := &Reconciler{Provider: fake, Clock: clk, DefaultProjectID: "p-default"}
	co, repo := revision(t, fstest.MapFS{
		"clusters/a.yaml": cluster("a", "fr-par", ""),
		"clusters/b.yaml": cluster("b", "fr-par", "  projectID: 9c6a0000-0000-4000-8000-000000000001\n"),
		"clusters/k.yaml": {Data: []byte(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: k}
spec:
  region: fr-par
  type: multicloud
  version: "1.35"
  pools:
    - {name: default, nodeType: PRO2-S, size: 1, zone: nl-ams-1}
    - {name: onprem, nodeType: external, size: 1}
`)},
	})

	pass, err := r.Plan(t.Context(), co, repo)
	if err != nil {
		t.Fatal(err)
	}

	var zones []string
	for _, c := range fake.Calls() {
		if c.Method == "ListNodeTypes" {
			zones = append(zones, c.ID)
		}
	}
	if len(zones) != 2 || zones[0] != "fr-par-1" || zones[1] != "nl-ams-1" {
		t.Errorf("catalogs read: %v, want fr-par-1 and nl-ams-1 once each", zones)
	}
	for _, s := range pass.Snapshots {
		if s.Zone("fr-par-1") == nil {
			t.Errorf("scope %v lacks the fr-par-1 catalog its clusters use", s.Ref)
		}
	}
}
