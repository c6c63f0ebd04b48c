package status

import (
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func TestNextRolloutKeepsTheClock(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	live := &cloud.Cluster{Name: "a", Status: "ready", Version: "1.36.1", Pools: []cloud.Pool{
		{Name: "default", Status: "ready", Version: "1.36.1", NodeType: "pro2_s", Nodes: []cloud.Node{{Name: "n1", Status: "ready"}}}}}
	cp := &plan.ClusterPlan{Rollout: &plan.ClusterRollout{Wave: 1, Pending: "waits"}}

	first := NextRollout(nil, cp, live, nil, t0)
	if first.HealthySince == nil || !first.HealthySince.Equal(t0) || first.Wave != 1 || first.Pending != "waits" {
		t.Fatalf("first = %+v", first)
	}
	// Written and read back (a restarted loop), the clock keeps its start.
	y, err := MarshalYAML(&ClusterStatus{APIVersion: APIVersion, Kind: Kind, Cluster: "a", Region: "fr-par", ProjectID: "p", Rollout: first})
	if err != nil {
		t.Fatal(err)
	}
	h := HealthFrom(map[string][]byte{"status/a.yaml": y})["fr-par/p/a"]
	if !h.Since.Equal(t0) || h.Basis != plan.HealthBasis(live) {
		t.Fatalf("read back = %+v", h)
	}
	back, err := ParseYAML(y)
	if err != nil {
		t.Fatal(err)
	}
	later := NextRollout(back.Rollout, cp, live, nil, t0.Add(5*time.Hour))
	if !later.HealthySince.Equal(t0) {
		t.Errorf("healthy since moved to %v", later.HealthySince)
	}
	// A hop changes the shape: the clock restarts.
	hopped := *live
	hopped.Version = "1.37.0"
	if got := NextRollout(later, cp, &hopped, nil, t0.Add(6*time.Hour)); !got.HealthySince.Equal(t0.Add(6 * time.Hour)) {
		t.Errorf("after a hop healthy since %v, want the pass's time", got.HealthySince)
	}
	// Unhealthy clears it and says why.
	sick := *live
	sick.Pools = []cloud.Pool{live.Pools[0]}
	sick.Pools[0].Status = "warning"
	if got := NextRollout(later, cp, &sick, nil, t0.Add(7*time.Hour)); got.HealthySince != nil || got.Unhealthy == "" {
		t.Errorf("unhealthy = %+v", got)
	}
	// A failed hop is recorded, and read back for the plan even while the cluster is unhealthy.
	failed := NextRollout(later, cp, &sick, &LastError{Action: "a/upgrade-cluster/1.37.0", Message: "quota exceeded"}, t0)
	if failed.Failed != "a/upgrade-cluster/1.37.0: quota exceeded" {
		t.Fatalf("failed = %q", failed.Failed)
	}
	if got := NextRollout(later, cp, live, &LastError{Action: "a/update-cluster", Message: "x"}, t0); got.Failed != "" {
		t.Errorf("a failed update counts as a failed hop: %q", got.Failed)
	}
	y, err = MarshalYAML(&ClusterStatus{APIVersion: APIVersion, Kind: Kind, Cluster: "a", Region: "fr-par", ProjectID: "p", Rollout: failed})
	if err != nil {
		t.Fatal(err)
	}
	if h := HealthFrom(map[string][]byte{"status/a.yaml": y})["fr-par/p/a"]; h.Failed != failed.Failed || !h.Since.IsZero() {
		t.Errorf("read back = %+v", h)
	}
}
