package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
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
	if res := tick(high, "interval"); res.Why != "fleet-changed" || res.Applied == 0 {
		t.Fatalf("wave-1 replica's tick = why %q, %d applied; want a fleet-changed pass that upgrades", res.Why, res.Applied)
	}
	wantMinors("soaked", "1.36", "1.36")
}
