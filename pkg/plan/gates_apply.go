package plan

import (
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// applyGates marks the drafts that may not run now, in this order of precedence: the cluster's
// status, the pool's status, drift-report mode, the disruptive opt-in, the upgrade window. The
// upgrade chain is ordered: once a control-plane hop (or a pool upgrade it waits for) is
// deferred, every later hop and its pool upgrades are deferred too. A replace-pool that runs
// supersedes the update and upgrades of the pool it replaces; a rotation of a pool this plan
// upgrades, replaces or deletes is deferred as superseded.
func applyGates(w *work, c *spec.Cluster, live *cloud.Cluster, in Input) {
	cg := clusterGate(live)
	var wg *gate
	if c.Spec.Upgrade != nil && c.Spec.Upgrade.Window != nil {
		key := *c.Spec.Upgrade.Window
		g, ok := w.windows[key]
		if !ok {
			g = windowGate(c, in.Now)
			if w.windows != nil {
				w.windows[key] = g
			}
		}
		wg = g
	}
	for _, d := range w.drafts {
		switch {
		case cg != nil:
			d.gate = cg
		case d.pool != nil && poolGate(d.pool) != nil:
			d.gate = poolGate(d.pool)
		case c.Spec.Drift == "report" && (d.a.Type == UpdateCluster || d.a.Type == UpdatePool || d.a.Type == SetClusterACL):
			d.gate = &gate{WhyDriftReport, "spec.drift is report: the difference is reported, not reverted"}
		case d.a.Type == ReplacePool && !c.Spec.AllowDisruptiveReplace:
			d.gate = &gate{WhyNeedsOptIn, "an immutable pool field changed: replacing the pool drains and deletes its nodes; set spec.allowDisruptiveReplace: true to allow it"}
		case (d.a.Type == ReplacePool || d.a.Type == UpgradeCluster || d.a.Type == UpgradePool) && wg != nil:
			d.gate = wg
		}
		// The pre-flight and the rollout waves (preflight.go, waves.go) outrank the window.
		if d.gate == nil || d.gate == wg {
			if g := w.fleetGate(c, d, in); g != nil {
				d.gate = g
			}
		}
	}
	chainGates(w)
	supersede(w)
}

// chainGates propagates a deferral along the upgrade chain, in hop order: a deferred hop defers
// every later hop and every pool upgrade of its own and later hops; a deferred pool upgrade
// defers the later hops (the pool would fall further behind) but not its sibling pools.
func chainGates(w *work) {
	maxHop := 0
	for _, d := range w.drafts {
		if d.phase == phUpgrade && d.hop > maxHop {
			maxHop = d.hop
		}
	}
	waits := func(d, on *draft) {
		d.gate = &gate{on.gate.why, "waits for " + on.a.ID + ": " + on.gate.msg}
	}
	var blocker, hopBlock *draft
	for hop := 0; hop <= maxHop; hop++ {
		for _, sub := range []int{0, 1} {
			for _, d := range w.drafts {
				if d.phase != phUpgrade || d.hop != hop || d.sub != sub {
					continue
				}
				switch {
				case d.gate == nil && sub == 0 && blocker != nil:
					waits(d, blocker)
				case d.gate == nil && sub == 1 && hopBlock != nil:
					waits(d, hopBlock)
				}
				if d.gate == nil {
					continue
				}
				if blocker == nil {
					blocker = d
				}
				if sub == 0 && hopBlock == nil {
					hopBlock = d
				}
			}
		}
	}
}

// supersede drops the update and upgrades of a pool that a running replace-pool recreates, and
// defers rotations of pools that other actions of this plan renew or remove.
func supersede(w *work) {
	replaced, renewed := map[string]bool{}, map[string]bool{}
	for _, d := range w.drafts {
		if d.pool != nil && d.a.Type == ReplacePool && d.a.Payload.NewPool != nil && d.a.Payload.NewPool.ID != "" {
			// A replacement under way (its new pool exists), even deferred: the old pool is
			// being retired, its nodes perhaps cordoned; rotating them would be wasted work.
			renewed[d.pool.Name] = true
		}
		if d.gate != nil || d.pool == nil {
			continue
		}
		switch d.a.Type {
		case ReplacePool:
			replaced[d.pool.ID] = true
			renewed[d.pool.Name] = true
		case UpgradePool, DeletePool:
			renewed[d.pool.Name] = true
		}
	}
	kept := w.drafts[:0]
	for _, d := range w.drafts {
		if d.pool != nil && replaced[d.pool.ID] && (d.a.Type == UpdatePool || d.a.Type == UpgradePool) {
			continue
		}
		if d.a.Type == RotateNode && d.gate == nil && renewed[d.a.Payload.Rotate.Pool] {
			d.gate = &gate{WhySuperseded, "pool " + d.a.Payload.Rotate.Pool + " is upgraded, replaced or deleted by this plan"}
		}
		kept = append(kept, d)
	}
	w.drafts = kept
}
