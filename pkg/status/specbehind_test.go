package status

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// After a forced upgrade past the spec, the status says so with the dates (a SpecBehind
// condition and a specBehind field), and the rest of the plan is pending as usual.
func TestSpecBehindStatus(t *testing.T) {
	date := func(s string) *time.Time { d, _ := time.Parse("2006-01-02", s); return &d }
	size, yes := 4, true
	desired := &spec.Cluster{Metadata: spec.Metadata{Name: "prod-par"}, Spec: spec.ClusterSpec{Region: "fr-par", ProjectID: "p1",
		Type: "kapsule", Version: "1.34", CNI: "cilium", PrivateNetworkID: "pn-1", DeletionProtection: &yes,
		Pools: []spec.Pool{{Name: "default", NodeType: "PRO2-S", Size: &size, Zone: "fr-par-1"}}}}
	live := cloud.Cluster{ID: "c1", Name: "prod-par", Region: "fr-par", ProjectID: "p1", Type: "kapsule", Status: "ready", Version: "1.35.3",
		CNI: "cilium", PrivateNetworkID: "pn-1", Tags: []string{"managed-by=reconciler", "reconciler.scaleway.dev/owner=o", "reconciler.scaleway.dev/deletion-protection=true"},
		Pools: []cloud.Pool{{ID: "p1", Name: "default", Status: "ready", Version: "1.35.3", NodeType: "pro2_s", Zone: "fr-par-1", Size: 3, MinSize: 3, MaxSize: 3,
			ContainerRuntime: "containerd", RootVolumeType: "sbs_5k", RootVolumeSizeGB: 20}}}
	snap := &cloud.Snapshot{Ref: cloud.Ref{Region: "fr-par", ProjectID: "p1"}, Clusters: []cloud.Cluster{live}, Versions: []cloud.Version{
		{Name: "1.35.3", DeprecatedAt: date("2027-01-19"), EndOfLifeAt: date("2027-03-19")},
		{Name: "1.34.6", DeprecatedAt: date("2026-09-29"), EndOfLifeAt: date("2026-11-29")}}}
	p, err := plan.Compute(plan.Input{Revision: "0123456789abcdef", Now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Owner: "o",
		Desired: []*spec.Cluster{desired}, Snapshots: []*cloud.Snapshot{snap}})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	s := Build(Input{Cluster: "prod-par", Region: "fr-par", Revision: "0123456789abcdef", Live: &live, Plan: &p.Clusters[0]})
	var c Condition
	for _, x := range s.Conditions {
		if x.Type == SpecBehind {
			c = x
		}
	}
	if c.Status != "True" || c.Reason != "ForcedUpgrade" || !strings.Contains(c.Message, "1.34 reached end of life on 2026-11-29") ||
		!strings.Contains(c.Message, "update spec.version to 1.35 or the next plan keeps warning") {
		t.Errorf("SpecBehind condition = %+v", c)
	}
	if len(s.Pending) != 1 || s.Pending[0].Type != string(plan.UpdatePool) {
		t.Errorf("pending = %+v, want the pool resize planned as usual", s.Pending)
	}
	y, err := MarshalYAML(s)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "spec-behind.status.yaml", y)
	back, err := ParseYAML(y)
	if err != nil || back.SpecBehind == nil || back.SpecBehind.LiveEndOfLifeAt == nil || !back.SpecBehind.LiveEndOfLifeAt.Equal(*date("2027-03-19")) {
		t.Errorf("round trip: %+v, %v", back.SpecBehind, err)
	}
}
