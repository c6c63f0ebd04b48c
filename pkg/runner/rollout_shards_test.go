package runner

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Waves hold across shards: two replicas, the wave-0 cluster (prod-par) in one's shard and the
// wave-1 cluster in the other's. The wave-1 replica upgrades only once the wave-0 replica has
// upgraded prod-par and recorded it healthy for the soak in its status file; facts that replica
// stopped refreshing hold wave 1 (fail closed) until it checks them again.
func TestRolloutWavesAcrossShards(t *testing.T) {
	e := newEnv(t, "revert")
	k0 := shard.Of(shard.Key("fr-par", "prod-par"), 2)
	var w1 string
	for i := 0; w1 == ""; i++ {
		if n := fmt.Sprintf("wave-b%d", i); shard.Of(shard.Key("fr-par", n), 2) != k0 {
			w1 = n
		}
	}
	fleet := func(version string) map[string]string {
		return map[string]string{
			"reconciler.yaml":          "rollout:\n  soak: 24h\n",
			"clusters/prod-par.yaml":   waveYAML("prod-par", version, 0),
			"clusters/" + w1 + ".yaml": waveYAML(w1, version, 1),
		}
	}
	low, high := e.runner, e.sibling()
	low.Shards, high.Shards = StaticShards{Count: 2, Held: []int{k0}}, StaticShards{Count: 2, Held: []int{1 - k0}}
	tick := func(r *Runner, why string) *TickResult {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := r.Tick(ctx, why)
		if err != nil {
			t.Fatalf("tick(%s): %v", why, err)
		}
		for _, c := range res.Clusters {
			if owner := shard.Of(shard.Key("fr-par", c.Name), 2); !res.Shards.Owns(shard.Key("fr-par", c.Name)) {
				t.Fatalf("replica of shards %s planned %s of shard %d", res.Shards, c.Name, owner)
			}
		}
		return res
	}
	pendingOf := func(name string) string {
		t.Helper()
		s := e.status(name)
		if whys := deferredWhys(s); len(whys) == 0 || whys[0] != plan.WhyWavePending || s.Rollout == nil {
			t.Fatalf("%s deferred %v rollout %+v, want wave-pending", name, whys, s.Rollout)
		}
		return s.Rollout.Pending
	}
	wantMinors := func(step, wave0, wave1 string) {
		t.Helper()
		if got := e.minors(); got["prod-par"] != wave0 || got[w1] != wave1 {
			t.Fatalf("%s: minors %v, want prod-par on %s and %s on %s", step, got, wave0, w1, wave1)
		}
	}

	e.user.Write(t, fleet("1.35"))
	e.user.CommitAndPush(t, "two clusters in two waves, in two shards", 3)
	tick(low, "start")
	tick(high, "start")
	wantMinors("created", "1.35", "1.35")

	// The wave-1 replica goes first: prod-par's facts were recorded for the old specs.
	e.user.Write(t, fleet("1.36"))
	e.user.CommitAndPush(t, "move the fleet to 1.36", 3)
	tick(high, "webhook")
	wantMinors("wave 1 first", "1.35", "1.35")
	if p := pendingOf(w1); !strings.Contains(p, "wave 0 cluster prod-par, planned by another shard's replica") {
		t.Errorf("%s pending %q, want prod-par named", w1, p)
	}

	// The wave-0 replica takes the hop; until its status records prod-par healthy, wave 1 waits.
	tick(low, "webhook")
	wantMinors("wave 0 pass", "1.36", "1.35")
	var since time.Time
	for i := 0; i < 5 && since.IsZero(); i++ {
		if r := e.status("prod-par").Rollout; r != nil && r.HealthySince != nil {
			since = *r.HealthySince
			break
		}
		e.clock.Step(11 * time.Minute)
		tick(low, "interval")
		tick(high, "interval")
		wantMinors("wave 0 settling", "1.36", "1.35")
	}
	if since.IsZero() {
		t.Fatalf("prod-par's status records no health time: %+v", e.status("prod-par").Rollout)
	}
	if r := e.status("prod-par").Rollout; r.Live == nil || !strings.HasPrefix(r.Live.Version, "1.36.") || r.CheckedAt == nil {
		t.Fatalf("prod-par's rollout record lacks its facts: %+v", r)
	}
	if res := tick(high, "interval"); res.Why != "fleet-changed" && res.Why != "drift-check" {
		t.Errorf("wave-1 replica's tick after new facts: why %q, want a pass", res.Why)
	}
	soaked := since.Add(24 * time.Hour).UTC().Format(time.RFC3339)
	if p := pendingOf(w1); !strings.Contains(p, "wave 0 cluster prod-par to soak 24h") || !strings.Contains(p, "soaked at "+soaked) {
		t.Errorf("%s pending %q, want prod-par's soak until %s", w1, p, soaked)
	}

	// Half the soak, both replicas passing: nothing moves.
	e.clock.Step(12 * time.Hour)
	tick(low, "interval")
	tick(high, "interval")
	wantMinors("half the soak", "1.36", "1.35")

	// Past the soak, but the wave-0 replica has not checked prod-par for 12 h: wave 1 holds.
	e.clock.Step(12*time.Hour + time.Minute)
	tick(high, "interval")
	wantMinors("stale facts", "1.36", "1.35")
	if p := pendingOf(w1); !strings.Contains(p, "wave 0 cluster prod-par, planned by another shard's replica: status/prod-par.yaml was last checked at") {
		t.Errorf("%s pending %q, want prod-par's facts named stale", w1, p)
	}

	// The wave-0 replica checks prod-par again: the fresh facts make the wave-1 replica pass, and
	// it upgrades.
	if res := tick(low, "interval"); res.StatusCommit == "" {
		t.Fatalf("wave-0 replica's pass refreshed nothing: %+v", res)
	}
	res := tick(high, "interval")
	if res.Why != "fleet-changed" || res.Applied == 0 {
		t.Fatalf("wave-1 replica's tick = why %q, %d applied; want a fleet-changed pass that upgrades", res.Why, res.Applied)
	}
	wantMinors("soaked", "1.36", "1.36")
	if c := e.commits()[0]; !strings.Contains(c.Subject, w1) || !strings.Contains(c.Subject, "rollout facts of other shards changed") {
		t.Errorf("last status commit %q, want %s's, saying why it ran", c.Subject, w1)
	}
}

// The fingerprint that makes a fleet-changed pass moves with what the other shards' facts say
// and with their freshness, not with a refreshed check time alone, and ignores the clusters that
// gate none of this replica's (its wave or higher).
func TestFleetFingerprint(t *testing.T) {
	k0 := shard.Of(shard.Key("fr-par", "prod-par"), 2)
	var w1 string
	for i := 0; w1 == ""; i++ {
		if n := fmt.Sprintf("wave-b%d", i); shard.Of(shard.Key("fr-par", n), 2) != k0 {
			w1 = n
		}
	}
	files := fstest.MapFS{}
	for name, y := range map[string]string{"prod-par": waveYAML("prod-par", "1.36", 0), w1: waveYAML(w1, "1.36", 1)} {
		files["clusters/"+name+".yaml"] = &fstest.MapFile{Data: []byte(y)}
	}
	repo, err := spec.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	r := &Runner{DriftInterval: 10 * time.Minute, Interval: time.Minute}
	r.state.good = &goodRevision{checkout: &checkout.Checkout{SpecDigest: "d1"}, repo: repo}
	r.state.set = &shard.Set{Count: 2, Held: []int{1 - k0}} // the wave-1 replica
	low := plan.Key("fr-par", project, "prod-par")
	facts := map[string]plan.RecordedFacts{low: {File: "status/prod-par.yaml", SpecDigest: "d1", CheckedAt: t0, Exists: true, Version: "1.36.1", Healthy: true}}
	base := r.fleetFingerprint(facts, t0)

	refreshed := maps.Clone(facts)
	f := refreshed[low]
	f.CheckedAt = t0.Add(5 * time.Minute)
	refreshed[low] = f
	if r.fleetFingerprint(refreshed, t0.Add(5*time.Minute)) != base {
		t.Error("a refreshed check time alone changed the fingerprint")
	}
	if r.fleetFingerprint(facts, t0.Add(r.waveFactsMaxAge()+time.Second)) == base {
		t.Error("facts turning stale did not change the fingerprint")
	}
	changed := maps.Clone(facts)
	f = changed[low]
	f.Healthy, f.Unhealthy = false, "pool web is upgrading"
	changed[low] = f
	if r.fleetFingerprint(changed, t0) == base {
		t.Error("new facts did not change the fingerprint")
	}

	// The wave-0 replica: the wave-1 cluster's facts gate none of its clusters.
	r.state.set = &shard.Set{Count: 2, Held: []int{k0}}
	high := map[string]plan.RecordedFacts{plan.Key("fr-par", project, w1): {File: "status/" + w1 + ".yaml", SpecDigest: "d1", CheckedAt: t0}}
	other := map[string]plan.RecordedFacts{plan.Key("fr-par", project, w1): {File: "status/" + w1 + ".yaml", SpecDigest: "d2", CheckedAt: t0}}
	if r.fleetFingerprint(high, t0) != r.fleetFingerprint(other, t0) {
		t.Error("facts of a higher wave changed the wave-0 replica's fingerprint")
	}
	// Its plan's fleet view has the wave-1 spec, with those facts and the specs in force.
	el := r.elsewhere(high, r.state.set)
	if el == nil || len(el.Clusters) != 1 || el.Clusters[0].Metadata.Name != w1 || el.SpecDigest != "d1" || el.MaxAge != 22*time.Minute {
		t.Errorf("elsewhere = %+v", el)
	}
}
