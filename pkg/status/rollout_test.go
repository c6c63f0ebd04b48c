package status

import (
	"slices"
	"strings"
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

// What a replica of another shard needs is recorded and read back: the live shape, the verdict
// with its halt condition, the clock, and the time the facts were checked at, which an idle loop
// refreshes only every heartbeat period.
func TestRolloutFactsForOtherShards(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	live := &cloud.Cluster{Name: "a", Status: "ready", Version: "1.36.1", Pools: []cloud.Pool{
		{Name: "web", Status: "ready", Version: "1.36.1", NodeType: "pro2_s", Nodes: []cloud.Node{{Name: "n1", Status: "ready"}}},
		{Name: "old", Status: "deleted", Version: "1.35.3", NodeType: "pro2_xs"},
		{Name: "api", Status: "ready", Version: "1.36.1", NodeType: "pro2_m"}}}
	cp := &plan.ClusterPlan{Rollout: &plan.ClusterRollout{Wave: 0}}
	write := func(ro *RolloutStatus) map[string][]byte {
		y, err := MarshalYAML(&ClusterStatus{APIVersion: APIVersion, Kind: Kind, Cluster: "a", Region: "fr-par", ProjectID: "p",
			SpecDigest: "d1", Rollout: ro})
		if err != nil {
			t.Fatal(err)
		}
		return map[string][]byte{"status/a.yaml": y}
	}

	first := NextRollout(nil, cp, live, nil, t0)
	Heartbeat(first, nil, t0, 5*time.Minute)
	f, ok := FactsFrom(write(first))["fr-par/p/a"]
	if !ok {
		t.Fatal("no facts read back")
	}
	wantPools := []plan.RecordedPool{{Name: "api", Version: "1.36.1", NodeType: "pro2_m"}, {Name: "web", Version: "1.36.1", NodeType: "pro2_s"}}
	if !f.Exists || f.Version != "1.36.1" || !slices.Equal(f.Pools, wantPools) || !f.Healthy || f.File != "status/a.yaml" ||
		f.SpecDigest != "d1" || !f.CheckedAt.Equal(t0) || !f.Health.Since.Equal(t0) || f.Health.Basis != plan.HealthBasis(live) {
		t.Fatalf("facts = %+v", f)
	}

	// Unchanged facts keep their check time within the period (no rewrite), then refresh it.
	back, err := ParseYAML(write(first)["status/a.yaml"])
	if err != nil {
		t.Fatal(err)
	}
	same := NextRollout(back.Rollout, cp, live, nil, t0.Add(4*time.Minute))
	Heartbeat(same, back.Rollout, t0.Add(4*time.Minute), 5*time.Minute)
	if !same.CheckedAt.Equal(t0) {
		t.Errorf("checked at %v within the period, want %v kept", same.CheckedAt, t0)
	}
	later := NextRollout(back.Rollout, cp, live, nil, t0.Add(5*time.Minute))
	Heartbeat(later, back.Rollout, t0.Add(5*time.Minute), 5*time.Minute)
	if !later.CheckedAt.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("checked at %v after the period, want refreshed", later.CheckedAt)
	}
	// Changed facts are checked now.
	sick := *live
	sick.Pools = slices.Clone(live.Pools)
	sick.Pools[0].Status = "warning"
	changed := NextRollout(back.Rollout, cp, &sick, nil, t0.Add(time.Minute))
	Heartbeat(changed, back.Rollout, t0.Add(time.Minute), 5*time.Minute)
	if !changed.CheckedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("changed facts checked at %v, want the pass's time", changed.CheckedAt)
	}
	f = FactsFrom(write(changed))["fr-par/p/a"]
	if f.Healthy || f.HaltCondition != "pool-error" || !strings.Contains(f.Unhealthy, "pool web is warning") || !f.Health.Since.IsZero() {
		t.Errorf("unhealthy facts = %+v", f)
	}
	// Without a period (no sharding) no check time is written; a missing cluster has no shape.
	none := NextRollout(nil, cp, nil, nil, t0)
	Heartbeat(none, nil, t0, 0)
	if none.CheckedAt != nil || none.Live != nil {
		t.Errorf("rollout = %+v", none)
	}
	if f := FactsFrom(write(none))["fr-par/p/a"]; f.Exists || f.Healthy || !f.CheckedAt.IsZero() {
		t.Errorf("facts of a missing cluster = %+v", f)
	}
}
