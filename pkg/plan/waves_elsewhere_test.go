package plan

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// The golden cases of waves across shards: wave-a (wave 0) is planned by another replica, which
// recorded its facts in status/wave-a.yaml; this plan holds wave-b (wave 1) and wave-c (wave 2).
func init() {
	checks["waves-elsewhere-soaked"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		if c := findCluster(p, "wave-a"); c != nil {
			t.Fatalf("wave-a, planned elsewhere, is in the plan: %+v", c)
		}
		wantIDs(t, p, "wave-b", "wave-b/upgrade-cluster/1.36.1", "wave-b/upgrade-pool/default/1.36.1")
		wantWhy(t, p, "wave-c", WhyWavePending, "wave 1 cluster wave-b to take the hop")
		wantWaves(t, p, WaveElsewhere, WaveNow, WavePending)
		if w := p.Rollout.Waves[0]; len(w.Elsewhere) != 1 || w.Elsewhere[0] != "wave-a" {
			t.Errorf("wave 0 = %+v, want wave-a planned elsewhere", w)
		}
	}
	checks["waves-elsewhere-soaking"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "wave-b")
		wantWhy(t, p, "wave-b", WhyWavePending, "waits for wave 0 cluster wave-a to soak 24h after the hop 1.35 → 1.36: healthy since 2026-11-26T02:00:00Z, soaked at 2026-11-27T02:00:00Z")
		wantWaves(t, p, WaveElsewhere, WavePending, WavePending)
	}
	checks["waves-elsewhere-stale"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "wave-b")
		wantIDs(t, p, "wave-c")
		wantWhy(t, p, "wave-b", WhyWavePending, "waits for wave 0 cluster wave-a, planned by another shard's replica: status/wave-a.yaml was last checked at 2026-11-26T09:00:00Z, more than 22m before 2026-11-26T10:00:00Z")
		wantWaves(t, p, WaveElsewhere, WavePending, WavePending)
		if r := cluster(t, p, "wave-b").Rollout; r == nil || !strings.Contains(r.Pending, "wave-a") {
			t.Errorf("wave-b rollout = %+v, want pending on wave-a", r)
		}
	}
}

func findCluster(p *Plan, name string) *ClusterPlan {
	for i := range p.Clusters {
		if p.Clusters[i].Name == name {
			return &p.Clusters[i]
		}
	}
	return nil
}

// elsewhereCase is the soaked case (wave-a planned elsewhere, soaked and fresh) with f applied to
// wave-a's recorded facts.
func elsewhereCase(t *testing.T, f func(e *Elsewhere, facts *RecordedFacts)) Input {
	t.Helper()
	in := loadCase(t, "testdata/plan/waves-elsewhere-soaked")
	facts := in.Elsewhere.Facts["fr-par/p1/wave-a"]
	facts.Pools = slices.Clone(facts.Pools)
	in.Elsewhere.Facts = map[string]RecordedFacts{}
	f(in.Elsewhere, &facts)
	if in.Elsewhere.Facts != nil {
		in.Elsewhere.Facts["fr-par/p1/wave-a"] = facts
	}
	return in
}

// Facts that cannot be trusted hold the higher wave (fail closed), naming the cluster and why;
// the same facts, trusted, let it go.
func TestWavesElsewhereFailClosed(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(e *Elsewhere, f *RecordedFacts)
		why    string
		msg    string
	}{
		{"fresh and soaked", func(*Elsewhere, *RecordedFacts) {}, "", ""},
		{"no status file", func(e *Elsewhere, _ *RecordedFacts) { e.Facts = nil }, WhyWavePending,
			"wave 0 cluster wave-a, planned by another shard's replica: no status file records its rollout facts yet"},
		{"other specs", func(_ *Elsewhere, f *RecordedFacts) { f.SpecDigest = "d0" }, WhyWavePending,
			"wave-a, planned by another shard's replica: status/wave-a.yaml was written for other specs (digest d0, not d1)"},
		{"no check time", func(_ *Elsewhere, f *RecordedFacts) { f.CheckedAt = time.Time{} }, WhyWavePending,
			"status/wave-a.yaml records no time its facts were checked at"},
		{"just within the age", func(e *Elsewhere, f *RecordedFacts) { f.CheckedAt = time.Date(2026, 11, 26, 9, 38, 0, 0, time.UTC) }, "", ""},
		{"just past the age", func(e *Elsewhere, f *RecordedFacts) { f.CheckedAt = time.Date(2026, 11, 26, 9, 37, 59, 0, time.UTC) }, WhyWavePending,
			"more than 22m before"},
		{"hop not taken", func(_ *Elsewhere, f *RecordedFacts) {
			f.Version, f.Pools[0].Version, f.Health.Basis = "1.35.3", "1.35.3", "1.35.3 default=1.35.3/pro2_s"
		}, WhyWavePending, "waits for wave 0 cluster wave-a to take the hop 1.35 → 1.36"},
		{"not created yet", func(_ *Elsewhere, f *RecordedFacts) {
			*f = RecordedFacts{File: f.File, SpecDigest: f.SpecDigest, CheckedAt: f.CheckedAt, Unhealthy: "the cluster does not exist"}
		}, WhyWavePending, "waits for wave 0 cluster wave-a to take the hop"},
		{"in progress", func(_ *Elsewhere, f *RecordedFacts) {
			f.Healthy, f.Unhealthy, f.Health.Since = false, "pool default is upgrading", time.Time{}
		}, WhyWavePending, "waits for wave 0 cluster wave-a to become healthy (pool default is upgrading)"},
		{"health clock of another shape", func(_ *Elsewhere, f *RecordedFacts) { f.Health.Basis = "1.35.3 default=1.35.3/pro2_s" }, WhyWavePending,
			"its health since the hop 1.35 → 1.36 is not recorded yet"},
		{"halting", func(_ *Elsewhere, f *RecordedFacts) {
			f.Healthy, f.Unhealthy, f.HaltCondition, f.Health.Since = false, "pool-error: pool default is warning", spec.HaltPoolError, time.Time{}
		}, WhyWaveHalted, "wave 0 cluster wave-a halts the rollout: pool-error: pool default is warning"},
		{"failed hop", func(_ *Elsewhere, f *RecordedFacts) {
			f.Health.Failed = "wave-a/upgrade-pool/default/1.36.1: quota exceeded"
		}, WhyWaveHalted,
			"wave 0 cluster wave-a halts the rollout: apply-failed: wave-a/upgrade-pool/default/1.36.1: quota exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compute(elsewhereCase(t, tc.mutate))
			mustPlan(t, p, err)
			if tc.why == "" {
				wantIDs(t, p, "wave-b", "wave-b/upgrade-cluster/1.36.1", "wave-b/upgrade-pool/default/1.36.1")
				return
			}
			wantIDs(t, p, "wave-b")
			wantWhy(t, p, "wave-b", tc.why, tc.msg)
			wantWhy(t, p, "wave-c", tc.why, "")
		})
	}
}

// A recorded unhealth counts by this plan's haltOn: a condition it leaves out is pending, not halted.
func TestWavesElsewhereHaltOn(t *testing.T) {
	in := elsewhereCase(t, func(_ *Elsewhere, f *RecordedFacts) {
		f.Healthy, f.Unhealthy, f.HaltCondition, f.Health.Since = false, "node-not-ready: pool default node n1 is not_ready", spec.HaltNodeNotReady, time.Time{}
	})
	in.Rollout.HaltOn = []string{spec.HaltPoolError}
	p, err := Compute(in)
	mustPlan(t, p, err)
	wantWhy(t, p, "wave-b", WhyWavePending, "to become healthy (node-not-ready: pool default node n1 is not_ready)")
	wantWaves(t, p, WaveElsewhere, WavePending, WavePending)

	in.Rollout.HaltOn = nil
	p, err = Compute(in)
	mustPlan(t, p, err)
	wantWhy(t, p, "wave-b", WhyWaveHalted, "node-not-ready")
	wantWaves(t, p, WaveUnhealthy, WaveHalted, WaveHalted)
}

// The replica of the lowest wave plans it as without sharding; the higher waves, all planned
// elsewhere, are listed as such. A spec both planned here and listed elsewhere is planned here.
func TestWavesElsewhereLowestWavePlansItself(t *testing.T) {
	in := loadCase(t, "testdata/plan/waves-first-pass")
	var here []*spec.Cluster
	in.Elsewhere = &Elsewhere{SpecDigest: "d1", MaxAge: time.Hour}
	for _, c := range in.Desired {
		if c.Metadata.Name == "wave-a" {
			here = append(here, c)
			in.Elsewhere.Clusters = append(in.Elsewhere.Clusters, c) // ignored: planned here
		} else {
			in.Elsewhere.Clusters = append(in.Elsewhere.Clusters, c)
		}
	}
	in.Desired = here
	// This replica observes the clusters of its shards only.
	in.Snapshots[0].Clusters = slices.DeleteFunc(in.Snapshots[0].Clusters, func(c cloud.Cluster) bool { return c.Name != "wave-a" })
	p, err := Compute(in)
	mustPlan(t, p, err)
	wantIDs(t, p, "wave-a", "wave-a/upgrade-cluster/1.36.1", "wave-a/upgrade-pool/default/1.36.1")
	if findCluster(p, "wave-b") != nil || findCluster(p, "wave-c") != nil {
		t.Errorf("clusters planned elsewhere are in the plan: %+v", p.Clusters)
	}
	wantWaves(t, p, WaveNow, WaveElsewhere, WaveElsewhere)
	if got := RolloutLine(p.Rollout); got != "wave 0 now (wave-a), wave 1 planned by other shards (wave-b), wave 2 planned by other shards (wave-c)" {
		t.Errorf("rollout line = %q", got)
	}
}

// A node-type replacement waits for the recorded pools of a lower wave planned elsewhere.
func TestWavesElsewhereGatePoolReplacement(t *testing.T) {
	for _, done := range []bool{false, true} {
		in := elsewhereCase(t, func(_ *Elsewhere, f *RecordedFacts) {
			if done {
				f.Pools[0].NodeType = "pro2_m"
			}
		})
		for _, c := range append(in.Desired, in.Elsewhere.Clusters...) {
			c.Spec.Version = "1.35"
			c.Spec.AllowDisruptiveReplace = true
			c.Spec.Pools[0].NodeType = "PRO2-M"
		}
		if done {
			// The recorded pool is default's replacement (its naming rule), healthy since long.
			fa := in.Elsewhere.Facts["fr-par/p1/wave-a"]
			fa.Pools[0].Name = ReplacementName("fr-par", in.Elsewhere.Clusters[0].Spec.Pools[0])
			fa.Health.Basis = shape{exists: true, version: fa.Version, pools: fa.Pools}.basis()
			in.Elsewhere.Facts["fr-par/p1/wave-a"] = fa
		}
		p, err := Compute(in)
		mustPlan(t, p, err)
		if !done {
			wantWhy(t, p, "wave-b", WhyWavePending, "wave 0 cluster wave-a to take the replacement of pools by node type pro2_m")
			continue
		}
		if a := cluster(t, p, "wave-b").Actions; len(a) != 1 || a[0].Type != ReplacePool {
			t.Errorf("wave-b actions = %v, want its replace-pool once wave-a's recorded pools are replaced", a)
		}
	}
}
