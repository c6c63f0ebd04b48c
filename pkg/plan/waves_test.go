package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// The rollout golden cases: three clusters in waves 0, 1 and 2, all asked to move from 1.35 to 1.36.
func init() {
	checks["waves-first-pass"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "wave-a", "wave-a/upgrade-cluster/1.36.1", "wave-a/upgrade-pool/default/1.36.1")
		wantIDs(t, p, "wave-b")
		wantIDs(t, p, "wave-c")
		wantWhy(t, p, "wave-b", WhyWavePending, "wave 0 cluster wave-a to take the hop 1.35 → 1.36")
		wantWhy(t, p, "wave-c", WhyWavePending, "wave 1 cluster wave-b to take the hop 1.35 → 1.36")
		wantWaves(t, p, WaveNow, WavePending, WavePending)
	}
	checks["waves-soaking"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "wave-b")
		wantWhy(t, p, "wave-b", WhyWavePending, "soaked at 2026-11-27T02:00:00Z")
		wantWhy(t, p, "wave-c", WhyWavePending, "wave 1 cluster wave-b to take the hop")
		wantWaves(t, p, WaveDone, WavePending, WavePending)
		if w := p.Rollout.Waves[1]; w.SoakFrom == nil || !w.SoakFrom.Equal(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)) {
			t.Errorf("wave 1 soak from = %v", w.SoakFrom)
		}
		if !strings.Contains(Text(p), "wave 1 after 24h soak (from 2026-11-26T02:00:00Z") {
			t.Errorf("text lacks the wave plan:\n%s", Text(p))
		}
	}
	checks["waves-soaked"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "wave-a")
		wantIDs(t, p, "wave-b", "wave-b/upgrade-cluster/1.36.1", "wave-b/upgrade-pool/default/1.36.1")
		wantWhy(t, p, "wave-c", WhyWavePending, "wave 1 cluster wave-b")
		wantWaves(t, p, WaveDone, WaveNow, WavePending)
	}
	checks["waves-halted"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "wave-b")
		wantIDs(t, p, "wave-c")
		for _, n := range []string{"wave-b", "wave-c"} {
			wantWhy(t, p, n, WhyWaveHalted, "wave 0 cluster wave-a halts the rollout: pool-error: pool default is warning")
			if r := cluster(t, p, n).Rollout; r == nil || !strings.Contains(r.Halted, "wave-a") {
				t.Errorf("%s rollout = %+v, want halted by wave-a", n, r)
			}
		}
		wantWaves(t, p, WaveUnhealthy, WaveHalted, WaveHalted)
	}
}

// A lower-wave cluster whose hop failed (recorded in its status) halts the rollout, unless haltOn
// leaves apply-failed out.
func TestWaveHaltsOnAFailedHop(t *testing.T) {
	in := loadCase(t, "testdata/plan/waves-soaked")
	h := in.Health["fr-par/p1/wave-a"]
	h.Failed = "wave-a/upgrade-pool/default/1.36.1: quota exceeded"
	in.Health = map[string]Health{"fr-par/p1/wave-a": h}
	p, err := Compute(in)
	mustPlan(t, p, err)
	wantWhy(t, p, "wave-b", WhyWaveHalted, "wave 0 cluster wave-a halts the rollout: apply-failed: wave-a/upgrade-pool/default/1.36.1: quota exceeded")
	in.Rollout.HaltOn = []string{spec.HaltPoolError}
	p, err = Compute(in)
	mustPlan(t, p, err)
	wantIDs(t, p, "wave-b", "wave-b/upgrade-cluster/1.36.1", "wave-b/upgrade-pool/default/1.36.1")
}

// wantWhy checks that every deferral of the cluster has why and the first one's message holds msg.
func wantWhy(t *testing.T, p *Plan, name, why, msg string) {
	t.Helper()
	c := cluster(t, p, name)
	if len(c.Deferred) == 0 {
		t.Fatalf("%s has no deferral", name)
	}
	for _, d := range c.Deferred {
		if d.Why != why {
			t.Errorf("%s: %s deferred as %s, want %s", name, d.Action.ID, d.Why, why)
		}
	}
	if !strings.Contains(c.Deferred[0].Message, msg) {
		t.Errorf("%s: message %q lacks %q", name, c.Deferred[0].Message, msg)
	}
}

func wantWaves(t *testing.T, p *Plan, states ...string) {
	t.Helper()
	if p.Rollout == nil || len(p.Rollout.Waves) != len(states) {
		t.Fatalf("rollout = %+v, want %d waves", p.Rollout, len(states))
	}
	for i, s := range states {
		if got := p.Rollout.Waves[i].State; got != s {
			t.Errorf("wave %d state = %s, want %s", p.Rollout.Waves[i].Wave, got, s)
		}
	}
}

func TestHealthOf(t *testing.T) {
	ready := func() *cloud.Cluster {
		return &cloud.Cluster{Name: "a", Status: "ready", Version: "1.36.1", Pools: []cloud.Pool{
			{Name: "default", Status: "ready", Version: "1.36.1", NodeType: "pro2_s", Nodes: []cloud.Node{{Name: "n1", Status: "ready"}}}}}
	}
	cases := []struct {
		name    string
		mutate  func(c *cloud.Cluster)
		haltOn  []string
		healthy bool
		halting bool
		reason  string
	}{
		{"ready", func(*cloud.Cluster) {}, nil, true, false, ""},
		{"upgrading is progress", func(c *cloud.Cluster) { c.Status = "upgrading" }, nil, false, false, "cluster a is upgrading"},
		{"locked halts", func(c *cloud.Cluster) { c.Status = "locked" }, nil, false, true, "cluster-error: cluster a is locked"},
		{"pool error halts", func(c *cloud.Cluster) { c.Pools[0].Status = "warning" }, nil, false, true, "pool-error: pool default is warning"},
		{"pool scaling is progress", func(c *cloud.Cluster) { c.Pools[0].Status = "scaling" }, nil, false, false, "pool default is scaling"},
		{"node not ready halts", func(c *cloud.Cluster) { c.Pools[0].Nodes[0].Status = "not_ready" }, nil, false, true, "node-not-ready: pool default node n1 is not_ready"},
		{"haltOn without node-not-ready", func(c *cloud.Cluster) { c.Pools[0].Nodes[0].Status = "not_ready" }, []string{spec.HaltPoolError}, false, false, "node-not-ready"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ready()
			tc.mutate(c)
			got := HealthOf(c, tc.haltOn)
			if got.Healthy != tc.healthy || got.Halting != tc.halting || !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("HealthOf = %+v, want healthy %v halting %v reason %q", got, tc.healthy, tc.halting, tc.reason)
			}
		})
	}
	a, b := ready(), ready()
	b.Pools[0].Version = "1.35.3"
	if HealthBasis(a) == HealthBasis(b) {
		t.Errorf("basis does not change with a pool version: %q", HealthBasis(a))
	}
}

// A recorded health whose basis is not the live shape (the cluster changed since) does not count.
func TestWaveSoakNeedsMatchingBasis(t *testing.T) {
	in := loadCase(t, "testdata/plan/waves-soaked")
	h := in.Health["fr-par/p1/wave-a"]
	h.Basis = "1.35.3 default=1.35.3/pro2_s"
	in.Health = map[string]Health{"fr-par/p1/wave-a": h}
	p, err := Compute(in)
	mustPlan(t, p, err)
	wantWhy(t, p, "wave-b", WhyWavePending, "not recorded yet")
	// Without waves in the specs, no rollout appears and nothing is deferred for it.
	for _, c := range in.Desired {
		c.Spec.Rollout = nil
	}
	p, err = Compute(in)
	mustPlan(t, p, err)
	if p.Rollout != nil || len(cluster(t, p, "wave-b").Deferred) != 0 || cluster(t, p, "wave-b").Rollout != nil {
		t.Errorf("single wave: rollout %+v, wave-b deferred %+v", p.Rollout, cluster(t, p, "wave-b").Deferred)
	}
}

// A node-type replacement rolls out in waves like a version hop.
func TestWaveGatesPoolReplacement(t *testing.T) {
	in := loadCase(t, "testdata/plan/waves-first-pass")
	for _, c := range in.Desired {
		c.Spec.Version = "1.35"
		c.Spec.AllowDisruptiveReplace = true
		c.Spec.Pools[0].NodeType = "PRO2-M"
	}
	p, err := Compute(in)
	mustPlan(t, p, err)
	if a := cluster(t, p, "wave-a").Actions; len(a) != 1 || a[0].Type != ReplacePool {
		t.Fatalf("wave-a actions = %v, want its replace-pool", a)
	}
	wantWhy(t, p, "wave-b", WhyWavePending, "wave 0 cluster wave-a to take the replacement of pools by node type pro2_m")
	wantWhy(t, p, "wave-c", WhyWavePending, "wave 1 cluster wave-b")

	// wave-a replaced its pool and has been healthy for longer than the soak: wave-b goes.
	live := &in.Snapshots[0].Clusters[0]
	if live.Name != "wave-a" {
		t.Fatalf("first live cluster is %s", live.Name)
	}
	live.Pools[0].NodeType = "pro2_m"
	live.Pools[0].Name = ReplacementName("fr-par", in.Desired[0].Spec.Pools[0])
	in.Health = map[string]Health{"fr-par/p1/wave-a": {Since: in.Now.Add(-25 * time.Hour), Basis: HealthBasis(live)}}
	p, err = Compute(in)
	mustPlan(t, p, err)
	if a := cluster(t, p, "wave-b").Actions; len(a) != 1 || a[0].Type != ReplacePool {
		t.Errorf("wave-b actions = %v, want its replace-pool", a)
	}
	wantWhy(t, p, "wave-c", WhyWavePending, "wave 1 cluster wave-b")
}
