package runner

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// A process killed after Scaleway accepted its upgrade of the control plane, before its wait
// ended: the restarted loop sends nothing again (no second upgrade, no downgrade), defers the
// pool's upgrade while the cluster is in transition, and resumes at the next tick once the
// cluster settled. Before, the loop went idle after that pass and the pool's upgrade waited for
// the drift check, ten minutes later, its status still saying "cluster prod-par is updating".
func TestRestartMidUpgradeResumesWhenTheClusterSettles(t *testing.T) {
	e := newEnvWith(t, "revert", emulator.Options{Dwell: emulator.Dwell{ClusterUpgrade: 10 * time.Minute}})
	e.tick("start")
	live := e.live()
	to := ""
	for _, v := range emulator.CatalogAt(emulator.DefaultCatalog(), time.Now()) {
		if strings.HasPrefix(v, "1.36.") {
			to = v
			break
		}
	}
	// The spec moves to 1.36; the killed process had sent the control plane's upgrade.
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(strings.Replace(clusterYAML, "DRIFT", "revert", 1), `"1.35"`, `"1.36"`, 1)})
	e.user.CommitAndPush(t, "upgrade prod-par to 1.36", 3)
	if err := e.prov.UpgradeCluster(t.Context(), "fr-par", live.ID, to, false); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if err := e.emu.ResetRequests(); err != nil {
		t.Fatal(err)
	}
	if res := e.tick("start"); res.Applied != 0 || res.Deferred == 0 {
		t.Fatalf("first tick after the restart = %+v, want nothing sent and the pool's upgrade deferred", res)
	}
	if m := mutations(t, e.emu); len(m) != 0 {
		t.Fatalf("the restarted loop sent %v while the cluster upgrades, want nothing", m)
	}
	st := e.status("prod-par")
	if !slices.ContainsFunc(st.Deferred, func(d status.Pending) bool {
		return d.Why == plan.WhyNotReady && strings.Contains(d.ID, "upgrade-pool")
	}) {
		t.Fatalf("deferred = %+v, want the pool's upgrade deferred as not-ready", st.Deferred)
	}

	// The control plane's upgrade ends; the next tick (one interval later) upgrades the pool.
	if _, err := e.emu.Advance(11 * time.Minute); err != nil {
		t.Fatal(err)
	}
	e.clock.Step(time.Minute)
	res := e.tick("interval")
	if res.Why != "transition" || res.Applied == 0 {
		t.Fatalf("tick one interval after the cluster settled = why %q, %d applied; want a pass that upgrades the pool", res.Why, res.Applied)
	}
	var upgrades []string
	for _, m := range mutations(t, e.emu) {
		if strings.Contains(m, "upgrade") {
			upgrades = append(upgrades, m)
		}
	}
	if len(upgrades) != 1 || !strings.Contains(upgrades[0], "pool") {
		t.Errorf("upgrade requests since the restart = %v, want the pool's only", upgrades)
	}
	if p := e.live().Pools[0]; p.Version != to {
		t.Errorf("pool at %s, want %s", p.Version, to)
	}
	if subj := e.commits()[0].Subject; !strings.Contains(subj, "settled") {
		t.Errorf("status commit subject %q does not say why the pass ran", subj)
	}
	e.clock.Step(time.Minute)
	if res := e.tick("interval"); res.Why != "idle" {
		t.Errorf("tick after the resumed pass = %q, want idle", res.Why)
	}
}
