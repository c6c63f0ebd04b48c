package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Pre-flight: what package preflight read from a cluster before the change (drain feasibility of
// the pools it disrupts, objects served in API versions a minor hop removes) is an input of the
// plan, like the snapshot. The plan attaches it to the cluster (ClusterPlan.Preflight) and defers
// a minor hop whose target removes API versions still in use (removed-apis-in-use) unless
// spec.upgrade.ignoreRemovedAPIs.

// WhyRemovedAPIs defers a minor hop while objects are served in API versions its target removes.
const WhyRemovedAPIs = "removed-apis-in-use"

// WhyRemovedAPIsUnchecked defers a minor hop while the pre-flight is on but could not read the
// cluster: what the target removes may be in use (fail closed).
const WhyRemovedAPIsUnchecked = "removed-apis-unchecked"

// Drain finding codes (Finding.Code).
const (
	FindingDrainBlocked  = "drain-blocked"
	FindingSingleReplica = "single-replica"
	FindingLocalStorage  = "local-storage"
	FindingCapacity      = "capacity"
)

// Preflight is what the pre-flight checks read from one cluster.
type Preflight struct {
	// Skipped says why the cluster could not be checked ("cluster unreachable: …"); nothing else
	// is then known, and a minor hop waits (removed-apis-unchecked) unless
	// spec.upgrade.ignoreRemovedAPIs.
	Skipped string `json:"skipped,omitempty"`
	// Pools are the drain findings of each pool the plan disrupts, by pool name.
	Pools []PoolDrain `json:"pools,omitempty"`
	// CheckedMinors are the target minors whose API removals were looked for.
	CheckedMinors []string `json:"checked_minors,omitempty"`
	// RemovedAPIs are the objects served in API versions a checked minor removes.
	RemovedAPIs []RemovedAPI `json:"removed_apis,omitempty"`
}

// PoolDrain is the drain feasibility of one pool: no finding means nothing blocks its drain.
type PoolDrain struct {
	Pool string `json:"pool"`
	// Nodes is how many nodes the change drains; Pods how many pods would be evicted.
	Nodes    int       `json:"nodes"`
	Pods     int       `json:"pods"`
	Findings []Finding `json:"findings"`
}

// Finding is one thing that would block or hurt a drain.
type Finding struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// String is "code: message".
func (f Finding) String() string { return f.Code + ": " + f.Message }

// RemovedAPI is one object served in an API version that Minor removes.
type RemovedAPI struct {
	Minor      string `json:"minor"`
	APIVersion string `json:"api_version"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	// Replacement is the API version to migrate to ("" when none is served).
	Replacement string `json:"replacement,omitempty"`
	// Evidence says why the object counts: only served there, or written through that version.
	Evidence string `json:"evidence,omitempty"`
}

// Object is "kind namespace/name" (or "kind name" for a cluster-scoped object).
func (r RemovedAPI) Object() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// PreflightRequest is what to check in one cluster: the pools a plan disrupts and the minors it
// hops to.
type PreflightRequest struct {
	Key       string
	Cluster   string
	Region    string
	ClusterID string
	Pools     []DrainRequest
	// Minors are the target minors of the plan's minor hops, in order.
	Minors []string
}

// DrainRequest is one pool to check.
type DrainRequest struct {
	Pool string
	// Nodes are the node names a rotation drains; empty: every node of the pool.
	Nodes []string
	// Surge is how many extra nodes the pool gets while it is renewed (its upgrade policy's maxSurge).
	Surge int
	// Why is the action type that disrupts the pool.
	Why ActionType
}

// PreflightRequests lists, from a (draft) plan and its input, the clusters whose plan hops a minor
// or disrupts a pool (upgrade-pool, replace-pool, rotate-node, run now or deferred), with what to
// check there. Clusters left alone (not-owned, report-only) are not listed.
func PreflightRequests(in Input, p *Plan) []PreflightRequest {
	lives := map[string]*cloud.Cluster{}
	for _, s := range in.Snapshots {
		if s == nil {
			continue
		}
		for i := range s.Clusters {
			lives[s.Clusters[i].ID] = &s.Clusters[i]
		}
	}
	var out []PreflightRequest
	for _, c := range p.Clusters {
		if c.ID == "" || c.Orphan {
			continue
		}
		req := PreflightRequest{Key: Key(c.Region, c.ProjectID, c.Name), Cluster: c.Name, Region: c.Region, ClusterID: c.ID}
		pools := map[string]*DrainRequest{}
		consider := func(a Action) {
			switch a.Type {
			case UpgradeCluster:
				if len(a.Changes) == 0 {
					return
				}
				from, ferr := spec.ParseVersion(fmt.Sprint(a.Changes[0].Before))
				to, terr := spec.ParseVersion(a.Payload.Version)
				if ferr == nil && terr == nil && to.CompareMinor(from) > 0 && !slices.Contains(req.Minors, to.MinorString()) {
					req.Minors = append(req.Minors, to.MinorString())
				}
			case UpgradePool, ReplacePool, RotateNode:
				name := a.Details["pool"]
				if a.Type == RotateNode && a.Payload.Rotate != nil {
					name = a.Payload.Rotate.Pool
				}
				if name == "" {
					return
				}
				dr, ok := pools[name]
				if !ok {
					dr = &DrainRequest{Pool: name, Why: a.Type}
					if live := lives[c.ID]; live != nil {
						if lp := poolByName(live, name); lp != nil {
							dr.Surge = lp.UpgradePolicy.MaxSurge
						}
					}
					pools[name] = dr
				}
				if a.Type != RotateNode {
					dr.Why, dr.Nodes = a.Type, nil // the whole pool
				} else if dr.Why == RotateNode && a.Payload.Rotate != nil {
					dr.Nodes = append(dr.Nodes, a.Payload.Rotate.Node)
				}
			}
		}
		for _, a := range c.Actions {
			consider(a)
		}
		for _, d := range c.Deferred {
			if d.Why != WhyNotOwned && d.Why != WhyDriftReport {
				consider(d.Action)
			}
		}
		for _, dr := range pools {
			slices.Sort(dr.Nodes)
			req.Pools = append(req.Pools, *dr)
		}
		slices.SortFunc(req.Pools, func(a, b DrainRequest) int { return cmp.Compare(a.Pool, b.Pool) })
		if len(req.Pools) > 0 || len(req.Minors) > 0 {
			out = append(out, req)
		}
	}
	return out
}

// removedAPIGate defers a minor hop whose target minor removes API versions objects of the
// cluster are still served in, or whose cluster the pre-flight could not read, unless
// spec.upgrade.ignoreRemovedAPIs.
func removedAPIGate(c *spec.Cluster, d *draft, pf *Preflight) *gate {
	if pf == nil || d.a.Type != UpgradeCluster || (c.Spec.Upgrade != nil && c.Spec.Upgrade.IgnoreRemovedAPIs) {
		return nil
	}
	h, ok := hopOf(d)
	if !ok || h.toMinor == "" {
		return nil
	}
	if pf.Skipped != "" {
		return &gate{WhyRemovedAPIsUnchecked, fmt.Sprintf("the objects served in API versions %s removes could not be listed (%s); the hop waits until the check can run, or set spec.upgrade.ignoreRemovedAPIs: true",
			h.toMinor, pf.Skipped)}
	}
	var objs []string
	for _, r := range pf.RemovedAPIs {
		if r.Minor == h.toMinor {
			objs = append(objs, r.Object()+" ("+r.APIVersion+")")
		}
	}
	if len(objs) == 0 {
		return nil
	}
	shown := objs[:min(len(objs), 5)]
	more := ""
	if len(objs) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(objs)-len(shown))
	}
	return &gate{WhyRemovedAPIs, fmt.Sprintf("%d object(s) are served in API versions %s removes: %s%s; migrate them, or set spec.upgrade.ignoreRemovedAPIs: true",
		len(objs), h.toMinor, strings.Join(shown, ", "), more)}
}

// fleetGate is the gate of the pre-flight and of the rollout for a draft, if any: removed APIs in
// use first, then the waves, then a removed-API check that could not run (the wave says more
// about when the hop can come). A blocker met is recorded for the wave plan.
func (w *work) fleetGate(c *spec.Cluster, d *draft, in Input) *gate {
	key := Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name)
	removed := removedAPIGate(c, d, in.Preflight[key])
	if removed != nil && removed.why != WhyRemovedAPIsUnchecked {
		return removed
	}
	h, ok := hopOf(d)
	if !ok || w.fleet == nil {
		return removed
	}
	g, b := w.fleet.waveGate(c, h)
	if b != nil {
		if prev := w.fleet.blocked[key]; prev == nil || (b.halted && !prev.halted) {
			w.fleet.blocked[key] = b
		}
	}
	if g == nil {
		return removed
	}
	return g
}

// PreflightLines renders a cluster's pre-flight, one line per finding, skipped check, clean pool
// and removed API in use (code formats names).
func PreflightLines(pf *Preflight, code func(string) string) []string {
	return preflightLines(pf, code)
}

// Concerns reports whether the pre-flight found something to look at: a skipped check, a drain
// finding or an object in a removed API version.
func (pf *Preflight) Concerns() bool {
	if pf == nil {
		return false
	}
	if pf.Skipped != "" || len(pf.RemovedAPIs) > 0 {
		return true
	}
	for _, p := range pf.Pools {
		if len(p.Findings) > 0 {
			return true
		}
	}
	return false
}

// preflightLines renders a cluster's pre-flight for text and Markdown (code formats names).
func preflightLines(pf *Preflight, code func(string) string) []string {
	if pf == nil {
		return nil
	}
	if pf.Skipped != "" {
		return []string{"drain check skipped: " + pf.Skipped}
	}
	var out []string
	for _, p := range pf.Pools {
		if len(p.Findings) == 0 {
			out = append(out, fmt.Sprintf("pool %s: drain clean (%d node(s), %d pod(s) to evict)", code(p.Pool), p.Nodes, p.Pods))
			continue
		}
		for _, f := range p.Findings {
			out = append(out, fmt.Sprintf("pool %s: %s", code(p.Pool), f))
		}
	}
	for _, m := range pf.CheckedMinors {
		n := 0
		for _, r := range pf.RemovedAPIs {
			if r.Minor != m {
				continue
			}
			n++
			l := fmt.Sprintf("removed in %s: %s %s", m, code(r.APIVersion), code(r.Object()))
			if r.Replacement != "" {
				l += " (use " + r.Replacement + ")"
			}
			if r.Evidence != "" {
				l += " — " + r.Evidence
			}
			out = append(out, l)
		}
		if n == 0 {
			out = append(out, fmt.Sprintf("removed APIs: none in use for %s", m))
		}
	}
	return out
}
