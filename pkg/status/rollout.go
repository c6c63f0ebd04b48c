package status

import (
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
	h := plan.HealthOf(live, nil)
	if !h.Healthy {
		out.Unhealthy = h.Reason
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
// for plan.Input.Health. Files that do not parse or record none are skipped.
func HealthFrom(files map[string][]byte) map[string]plan.Health {
	out := map[string]plan.Health{}
	for _, b := range files {
		s, err := ParseYAML(b)
		if err != nil || s.Rollout == nil || (s.Rollout.HealthySince == nil && s.Rollout.Failed == "") {
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
