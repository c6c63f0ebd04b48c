package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// waveYAML is a cluster of the rollout test: version and wave vary.
func waveYAML(name, version string, wave int) string {
	return strings.NewReplacer("NAME", name, "VERSION", version, "WAVE", string(rune('0'+wave))).Replace(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: NAME}
spec:
  region: fr-par
  projectID: ` + project + `
  version: "VERSION"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  rollout: {wave: WAVE}
  pools:
    - name: web
      nodeType: PRO2-S
      zone: fr-par-1
      size: 1
`)
}

func (e *env) fleet(version string) map[string]string {
	return map[string]string{
		"reconciler.yaml":        "rollout:\n  soak: 24h\n",
		"clusters/prod-par.yaml": waveYAML("prod-par", version, 0),
		"clusters/wave-b.yaml":   waveYAML("wave-b", version, 1),
		"clusters/wave-c.yaml":   waveYAML("wave-c", version, 2),
	}
}

// minors is each live cluster's minor.
func (e *env) minors() map[string]string {
	e.t.Helper()
	snap, err := e.prov.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: project})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range snap.Clusters {
		if c.Status != "deleted" {
			out[c.Name] = c.Version[:strings.LastIndex(c.Version, ".")]
		}
	}
	return out
}

func deferredWhys(s *status.ClusterStatus) []string {
	var out []string
	for _, d := range s.Deferred {
		out = append(out, d.Why)
	}
	return out
}

// The loop rolls a minor out in waves on the emulator: wave 0 first; wave 1 only once wave 0 has
// been healthy for the (fake-clock) soak, which a restarted loop keeps counting from the time the
// status files record; wave 2 after wave 1.
func TestRolloutInWaves(t *testing.T) {
	e := newEnv(t, "revert")
	e.user.Write(t, e.fleet("1.35"))
	e.user.CommitAndPush(t, "three clusters in three waves", 3)
	if res := e.tick("start"); res.Applied == 0 {
		t.Fatalf("first tick = %+v, want the clusters created", res)
	}

	e.user.Write(t, e.fleet("1.36"))
	e.user.CommitAndPush(t, "move the fleet to 1.36", 3)
	e.tick("webhook")
	if got := e.minors(); got["prod-par"] != "1.36" || got["wave-b"] != "1.35" || got["wave-c"] != "1.35" {
		t.Fatalf("after the first pass minors = %v, want only wave 0 (prod-par) on 1.36", got)
	}
	// The health clock of wave 0 starts at the first pass that sees it healthy after the hop.
	var since time.Time
	for i := 0; i < 5 && since.IsZero(); i++ {
		if r := e.status("prod-par").Rollout; r != nil && r.HealthySince != nil {
			since = *r.HealthySince
			break
		}
		e.clock.Step(11 * time.Minute)
		e.tick("interval")
	}
	if since.IsZero() {
		t.Fatalf("prod-par's status records no health time: %+v", e.status("prod-par").Rollout)
	}
	b := e.status("wave-b")
	if whys := deferredWhys(b); len(whys) == 0 || whys[0] != plan.WhyWavePending || b.Rollout == nil || b.Rollout.Wave != 1 ||
		!strings.Contains(b.Rollout.Pending, "wave 0 cluster prod-par") {
		t.Fatalf("wave-b deferred %v rollout %+v, want wave-pending on prod-par", whys, b.Rollout)
	}

	// Half the soak: nothing moves.
	e.clock.Step(12 * time.Hour)
	e.tick("interval")
	if got := e.minors(); got["wave-b"] != "1.35" {
		t.Fatalf("wave-b moved to %s before the soak ended", got["wave-b"])
	}
	if p := e.status("wave-b").Rollout.Pending; !strings.Contains(p, "soaked at "+since.Add(24*time.Hour).UTC().Format(time.RFC3339)) {
		t.Errorf("wave-b pending %q, want the soak's end", p)
	}

	// A restarted loop reads the clock back from the status files.
	e.restart()
	e.clock.Step(12*time.Hour + time.Minute)
	e.tick("start")
	if r := e.status("prod-par").Rollout; r == nil || r.HealthySince == nil || !r.HealthySince.Equal(since) {
		t.Errorf("after the restart prod-par healthy since %+v, want %s", r, since)
	}
	got := e.minors()
	if got["wave-b"] != "1.36" || got["wave-c"] != "1.35" {
		t.Fatalf("past the soak minors = %v, want wave-b on 1.36 and wave-c still on 1.35", got)
	}
	c := e.status("wave-c")
	if whys := deferredWhys(c); len(whys) == 0 || whys[0] != plan.WhyWavePending || !strings.Contains(c.Rollout.Pending, "wave 1 cluster wave-b") {
		t.Errorf("wave-c deferred %v rollout %+v, want wave-pending on wave-b", whys, c.Rollout)
	}

	// wave 0's pool fails: the rollout halts for the higher waves, named in status and report,
	// and announced.
	var events []Event
	e.runner.Notify = func(ev Event) { events = append(events, ev) }
	pool := e.livePool("prod-par")
	if err := e.emu.PatchPool(pool, map[string]any{"status": "warning", "error_message": "node web-1: kubelet stopped posting status"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Step(11 * time.Minute)
	e.tick("interval")
	c = e.status("wave-c")
	if whys := deferredWhys(c); len(whys) == 0 || whys[0] != plan.WhyWaveHalted || c.Rollout == nil ||
		!strings.Contains(c.Rollout.Halted, "wave 0 cluster prod-par halts the rollout: pool-error: pool web is warning") {
		t.Errorf("wave-c deferred %v rollout %+v, want wave-halted by prod-par's pool", whys, c.Rollout)
	}
	if rep := gittest.Show(t, e.bare, "main", "reports/wave-c.md"); !strings.Contains(rep, "wave-halted") || !strings.Contains(rep, "prod-par") {
		t.Errorf("report of wave-c does not name the halt:\n%s", rep)
	}
	if r := e.status("prod-par").Rollout; r == nil || r.HealthySince != nil || !strings.Contains(r.Unhealthy, "pool web") {
		t.Errorf("prod-par rollout = %+v, want unhealthy", r)
	}
	halted := false
	for _, ev := range events {
		halted = halted || (ev.Kind == "halted" && strings.Contains(ev.Message, "wave-c"))
	}
	if !halted {
		t.Errorf("events = %+v, want a halted event for wave-c", events)
	}
}

// livePool is the id of the cluster's first pool.
func (e *env) livePool(cluster string) string {
	e.t.Helper()
	snap, err := e.prov.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: project})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range snap.Clusters {
		if c.Name == cluster && len(c.Pools) > 0 {
			return c.Pools[0].ID
		}
	}
	e.t.Fatalf("no live pool of %s", cluster)
	return ""
}

// A status file is a report: a healthy-since pushed 30 days into the past for wave 0 does not
// let wave 1 move before wave 0 has soaked since its live cluster last changed (updated_at,
// written by Scaleway only), even for a restarted loop that reads the clock back from the files.
func TestRolloutForgedHealthySinceDoesNotShortenTheSoak(t *testing.T) {
	e := newEnv(t, "revert")
	e.user.Write(t, e.fleet("1.35"))
	e.user.CommitAndPush(t, "three clusters in three waves", 3)
	e.tick("start")
	e.pull()
	e.user.Write(t, e.fleet("1.36"))
	e.user.CommitAndPush(t, "move the fleet to 1.36", 3)
	e.tick("webhook")
	var since time.Time
	for i := 0; i < 5 && since.IsZero(); i++ {
		e.clock.Step(11 * time.Minute)
		e.tick("interval")
		if r := e.status("prod-par").Rollout; r != nil && r.HealthySince != nil {
			since = *r.HealthySince
		}
	}
	if since.IsZero() {
		t.Fatalf("prod-par's status records no health time: %+v", e.status("prod-par").Rollout)
	}
	forged := since.Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	e.editStatus("status/prod-par.yaml", func(s string) string {
		return strings.Replace(s, since.UTC().Format(time.RFC3339), forged, 1)
	})
	if !strings.Contains(gittest.Show(t, e.bare, "main", "status/prod-par.yaml"), forged) {
		t.Fatalf("the forged time is not in the pushed status file")
	}
	e.restart()
	e.clock.Step(time.Minute)
	e.tick("start")
	if got := e.minors(); got["wave-b"] != "1.35" {
		t.Fatalf("wave-b moved to %s on a forged healthy-since", got["wave-b"])
	}
	b := e.status("wave-b")
	if whys := deferredWhys(b); len(whys) == 0 || whys[0] != plan.WhyWavePending || !strings.Contains(b.Rollout.Pending, "to soak 24h") {
		t.Errorf("wave-b deferred %v rollout %+v, want wave-pending on prod-par's soak", whys, b.Rollout)
	}
}
