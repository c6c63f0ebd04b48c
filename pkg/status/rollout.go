package status

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// RolloutStatus is what a status file records of a cluster's place in a fleet rollout (written
// when the specs use more than one wave). HealthySince is the rollout's clock: a restarted loop
// reads it back (HealthFrom), so a soak keeps running across restarts.
type RolloutStatus struct {
	Wave int `json:"wave"`
	// HealthySince is since when the loop has seen the cluster healthy in the shape HealthBasis
	// describes (plan.HealthBasis: versions and node types); absent while it is not healthy.
	HealthySince *time.Time `json:"healthySince,omitempty"`
	HealthBasis  string     `json:"healthBasis,omitempty"`
	// Unhealthy says why the cluster is not healthy (plan.HealthOf).
	Unhealthy string `json:"unhealthy,omitempty"`
	// Failed is the last error of a hop or replacement of the cluster (from lastError), while it
	// stands: it halts the higher waves (rollout.haltOn apply-failed).
	Failed string `json:"failed,omitempty"`
	// Halted names the lower-wave cluster that halts this cluster's hops, and why (wave-halted).
	Halted string `json:"halted,omitempty"`
	// Pending says what this cluster's hops wait for (wave-pending).
	Pending string `json:"pending,omitempty"`
	// HaltCondition is the halt condition Unhealthy falls under (plan.HealthFact.Condition; absent
	// for work in progress): a replica of another shard judges it by its own rollout.haltOn.
	HaltCondition string `json:"haltCondition,omitempty"`
	// Live is the live shape the pass saw (absent: the cluster did not exist): what a replica of
	// another shard compares with its hops (run --shards: it does not observe this cluster).
	Live *RolloutLive `json:"live,omitempty"`
	// CheckedAt is when a pass last found these facts (with sharding only): a replica of another
	// shard trusts them for a bounded time after it (Heartbeat, FactsFrom).
	CheckedAt *time.Time `json:"checkedAt,omitempty"`
}

// RolloutLive is a cluster's live version and its pools' versions and node types (deleted
// pools left out).
type RolloutLive struct {
	Version string        `json:"version"`
	Pools   []RolloutPool `json:"pools,omitempty"`
}

// RolloutPool is a pool of RolloutLive.
type RolloutPool struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	NodeType string `json:"nodeType"`
}

// NextRollout is the rollout record of a cluster after a pass at now: the clock keeps the
// previous HealthySince while the cluster stays healthy in the same shape, restarts at now when it
// becomes healthy or its shape changed, and is cleared while it is unhealthy. It is pure.
// lastErr is the status's lastError: a failed upgrade or replacement is recorded as Failed.
func NextRollout(prev *RolloutStatus, cp *plan.ClusterPlan, live *cloud.Cluster, lastErr *LastError, now time.Time) *RolloutStatus {
	out := &RolloutStatus{}
	if cp != nil && cp.Rollout != nil {
		out.Wave, out.Halted, out.Pending = cp.Rollout.Wave, cp.Rollout.Halted, cp.Rollout.Pending
	}
	if lastErr != nil {
		for _, t := range []plan.ActionType{plan.UpgradeCluster, plan.UpgradePool, plan.ReplacePool} {
			if strings.Contains(lastErr.Action, "/"+string(t)) {
				out.Failed = lastErr.Action + ": " + lastErr.Message
			}
		}
	}
	if live == nil {
		out.Unhealthy = "the cluster does not exist"
		return out
	}
	out.Live = &RolloutLive{Version: live.Version}
	for _, p := range live.Pools {
		if p.Status != "deleted" {
			out.Live.Pools = append(out.Live.Pools, RolloutPool{Name: p.Name, Version: p.Version, NodeType: p.NodeType})
		}
	}
	slices.SortFunc(out.Live.Pools, func(a, b RolloutPool) int { return cmp.Compare(a.Name, b.Name) })
	h := plan.HealthOf(live, nil)
	if !h.Healthy {
		out.Unhealthy, out.HaltCondition = h.Reason, h.Condition
		return out
	}
	out.HealthBasis = plan.HealthBasis(live)
	since := now.UTC().Truncate(time.Second)
	if prev != nil && prev.HealthySince != nil && prev.HealthBasis == out.HealthBasis {
		since = *prev.HealthySince
	}
	out.HealthySince = &since
	return out
}

// HealthFrom returns, per cluster key, the health times the statuses (contents by path) record,
// for plan.Input.Health. Files that do not parse or record none are skipped, as are files not at
// status/<cluster>.yaml: the reconciler writes no other, and a health clock lets a rollout go on.
func HealthFrom(files map[string][]byte) map[string]plan.Health {
	out := map[string]plan.Health{}
	for p, b := range files {
		s, err := ParseYAML(b)
		if err != nil || s.Rollout == nil || (s.Rollout.HealthySince == nil && s.Rollout.Failed == "") || !ownPath(p, s) {
			continue
		}
		h := plan.Health{Basis: s.Rollout.HealthBasis, Failed: s.Rollout.Failed}
		if s.Rollout.HealthySince != nil {
			h.Since = *s.Rollout.HealthySince
		}
		out[plan.Key(s.Region, s.ProjectID, s.Cluster)] = h
	}
	return out
}

// Heartbeat sets next.CheckedAt, the time a replica of another shard judges the age of these
// facts by: the previous one while the facts are those of prev and it is younger than every, so
// an idle loop rewrites its status at most every every; else at. every 0 records none (without
// sharding no other replica reads them). It is pure.
func Heartbeat(next, prev *RolloutStatus, at time.Time, every time.Duration) {
	if next == nil {
		return
	}
	next.CheckedAt = nil
	if every <= 0 {
		return
	}
	at = at.UTC().Truncate(time.Second)
	if prev != nil && prev.CheckedAt != nil && at.Sub(*prev.CheckedAt) < every && !at.Before(*prev.CheckedAt) {
		same := *prev
		same.CheckedAt = nil
		if reflect.DeepEqual(&same, next) {
			kept := *prev.CheckedAt
			next.CheckedAt = &kept
			return
		}
	}
	next.CheckedAt = &at
}

// FactsFrom returns, per cluster key, the rollout facts the statuses (contents by path) record,
// for plan.Elsewhere.Facts: the clusters another shard's replica plans. Files that do not parse,
// record no rollout, or are not at status/<cluster>.yaml (where the replicas write) are skipped
// (the plan then holds the higher waves for them).
func FactsFrom(files map[string][]byte) map[string]plan.RecordedFacts {
	out := map[string]plan.RecordedFacts{}
	for path, b := range files {
		s, err := ParseYAML(b)
		if err != nil || s.Rollout == nil || s.Cluster == RepositoryName || !ownPath(path, s) {
			continue
		}
		ro := s.Rollout
		f := plan.RecordedFacts{File: path, SpecDigest: s.SpecDigest, Healthy: ro.HealthySince != nil,
			Unhealthy: ro.Unhealthy, HaltCondition: ro.HaltCondition,
			Health: plan.Health{Basis: ro.HealthBasis, Failed: ro.Failed}}
		if ro.HealthySince != nil {
			f.Health.Since = *ro.HealthySince
		}
		if ro.CheckedAt != nil {
			f.CheckedAt = *ro.CheckedAt
		}
		if ro.Live != nil {
			f.Exists, f.Version = true, ro.Live.Version
			for _, p := range ro.Live.Pools {
				f.Pools = append(f.Pools, plan.RecordedPool{Name: p.Name, Version: p.Version, NodeType: p.NodeType})
			}
		}
		out[plan.Key(s.Region, s.ProjectID, s.Cluster)] = f
	}
	return out
}

// ownPath reports whether p is where the reconciler writes s (status/<cluster>.yaml). Several
// files could otherwise claim one cluster, the one read depending on map order.
func ownPath(p string, s *ClusterStatus) bool {
	sp, _ := Paths(s.Cluster)
	return p == sp
}
