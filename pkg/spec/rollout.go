package spec

import (
	"fmt"
	"slices"
	"time"
)

// ClusterRollout is a cluster's place in a fleet rollout.
type ClusterRollout struct {
	// Wave orders the fleet's version hops and node-type replacements: a cluster of wave N takes a
	// hop only after every cluster of a lower wave that needs the same hop took it and stayed
	// healthy for the soak time. Default 0 (the first wave).
	Wave int `json:"wave"`
}

// RolloutSettings is the repo-level rollout policy (reconciler.yaml rollout:).
type RolloutSettings struct {
	// Soak is how long a lower wave stays healthy after a hop before the next wave takes it;
	// default 0 (healthy now is enough).
	Soak Duration `json:"soak,omitempty"`
	// HaltOn lists the conditions of a lower-wave cluster that halt the rollout; default: all of
	// HaltConditions.
	HaltOn []string `json:"haltOn,omitempty"`
}

// PreflightSettings is reconciler.yaml preflight: the checks the plan makes through each
// cluster's kubeconfig before a minor hop or a drain (drain feasibility, removed APIs). Off by
// default: it needs the clusters' API servers reachable from where the plan runs.
type PreflightSettings struct {
	Enabled bool `json:"enabled"`
	// Timeout bounds the checks of one cluster; default 10s, at least 1s, at most 5m.
	Timeout Duration `json:"timeout,omitempty"`
}

// maxPreflightTimeout bounds preflight.timeout (a pass must not wait on one cluster for long);
// minPreflightTimeout is the least that can reach an API server (a 1ms timeout would report
// every cluster unreachable).
const (
	maxPreflightTimeout = 5 * time.Minute
	minPreflightTimeout = time.Second
)

// Halt conditions (rollout.haltOn).
const (
	HaltClusterError = "cluster-error"  // the cluster is in an error or locked status
	HaltPoolError    = "pool-error"     // a pool reports an error (status error or warning, an error message)
	HaltNodeNotReady = "node-not-ready" // a node is not ready after its pool settled
	HaltApplyFailed  = "apply-failed"   // the cluster's last hop or replacement failed (its status's lastError)
)

// HaltConditions are the known rollout.haltOn values, the default set.
var HaltConditions = []string{HaltClusterError, HaltPoolError, HaltNodeNotReady, HaltApplyFailed}

// maxWave bounds spec.rollout.wave (waves are few; a typo such as 1000000 is an error).
const maxWave = 1000

// WaveOf is the cluster's rollout wave (0 without spec.rollout).
func WaveOf(c *Cluster) int {
	if c == nil || c.Spec.Rollout == nil {
		return 0
	}
	return c.Spec.Rollout.Wave
}

// HaltSet is the set of halt conditions in force (the default when none is written).
func (r *RolloutSettings) HaltSet() []string {
	if r == nil || len(r.HaltOn) == 0 {
		return slices.Clone(HaltConditions)
	}
	return slices.Clone(r.HaltOn)
}

// SoakTime is the soak duration (0 when unset).
func (r *RolloutSettings) SoakTime() time.Duration {
	if r == nil {
		return 0
	}
	return r.Soak.Duration
}

func validateClusterRollout(is *issues, r *ClusterRollout) {
	if r == nil {
		return
	}
	if r.Wave < 0 || r.Wave > maxWave {
		is.hint("spec.rollout.wave", fmt.Sprintf("must be between 0 and %d, not %d", maxWave, r.Wave), "wave 0 goes first, then 1, 2, …")
	}
}

func validatePreflightSettings(is *issues, p *PreflightSettings) {
	if p == nil {
		return
	}
	if d := p.Timeout.Duration; d != 0 && (d < minPreflightTimeout || d > maxPreflightTimeout) {
		is.hint("preflight.timeout", fmt.Sprintf("must be between %s and %s, not %s", minPreflightTimeout, maxPreflightTimeout, p.Timeout),
			"e.g. \"10s\" (the default, also when omitted)")
	}
}

func validateRolloutSettings(is *issues, r *RolloutSettings) {
	if r == nil {
		return
	}
	if r.Soak.Duration < 0 {
		is.addf("rollout.soak", "must not be negative, got %s", r.Soak)
	}
	for i, h := range r.HaltOn {
		if !slices.Contains(HaltConditions, h) {
			is.hint(fmt.Sprintf("rollout.haltOn[%d]", i), fmt.Sprintf("unknown halt condition %q", h), "one of "+oneOf(HaltConditions))
		}
	}
}
