package runner

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// PassResult labels a tick in reconciler_passes_total; the values are stable wire names.
type PassResult string

// Pass results. A tick that ran no pass and did not fail (idle) has none.
const (
	PassOK       PassResult = "ok"       // the pass ran and nothing failed
	PassDeferred PassResult = "deferred" // the pass ran, nothing failed, actions were left deferred
	PassError    PassResult = "error"    // the tick failed, or its observe/plan failed, or a cluster's apply failed or was stale
)

// PassResults lists every PassResult, in the order metrics are initialised.
var PassResults = []PassResult{PassOK, PassError, PassDeferred}

// ClusterHealth is one cluster's state after a pass, for the per-cluster gauges.
type ClusterHealth struct {
	Name string
	// Drift counts the live fields that differ from the spec (status drift).
	Drift int
	// VersionBehind is true when an upgrade is planned or deferred, or a newer version is available.
	VersionBehind bool
	// Failed is true when the cluster's apply in this pass failed or was refused as stale.
	Failed bool
}

// Health is what one tick says about the loop, computed by Assess.
type Health struct {
	// Pass is "" when the tick ran no pass and did not fail (idle, or only an invalid revision).
	Pass PassResult
	// Failure says why the tick counts as failed ("" unless Pass is PassError).
	Failure string
	// Clusters are the per-cluster values; nil when the tick did not learn them (keep the last).
	Clusters []ClusterHealth
	// RetryAfter is the longest pause the API asked for (Retry-After) in the failures of a failed
	// tick; the loop waits at least that long before its next retry pass.
	RetryAfter time.Duration
}

// Assess is the health of one tick, from its result and error only (pure): the one place that
// decides what counts as a failed pass, for /readyz and the metrics alike.
func Assess(res *TickResult, err error) Health {
	switch {
	case err != nil:
		return Health{Pass: PassError, Failure: err.Error(), RetryAfter: cloud.RetryAfter(err)}
	case res == nil:
		return Health{}
	}
	h := Health{Clusters: res.Clusters}
	switch {
	case res.PassErr != nil:
		h.Pass, h.Failure, h.RetryAfter = PassError, "pass: "+res.PassErr.Error(), cloud.RetryAfter(res.PassErr)
	case len(res.Failed) > 0:
		h.Pass, h.Failure = PassError, "apply failed: "+strings.Join(res.Failed, "; ")
		if res.applied != nil {
			for _, c := range res.applied.Clusters {
				h.RetryAfter = max(h.RetryAfter, cloud.RetryAfter(c.Err))
			}
		}
	case !res.Planned:
	case res.Deferred > 0:
		h.Pass = PassDeferred
	default:
		h.Pass = PassOK
	}
	return h
}

// clusterHealth lists every cluster of an assembled pass with its gauges; nil when the pass did
// not observe (it failed before planning: the last values stand).
func clusterHealth(asm status.Assembled, po *passOutcome) []ClusterHealth {
	if po == nil || po.err != nil || po.pass.final() == nil {
		return nil
	}
	failed := map[string]bool{}
	if res := po.pass.applied; res != nil {
		for _, c := range res.Clusters {
			failed[c.Name] = failed[c.Name] || c.State != apply.ClusterApplied
		}
	}
	out := make([]ClusterHealth, 0, len(asm.Statuses))
	for _, st := range asm.Statuses {
		if st.Cluster == "" || st.Cluster == RepositoryStatusName {
			continue
		}
		out = append(out, ClusterHealth{Name: st.Cluster, Drift: len(st.Drift),
			VersionBehind: versionBehind(st), Failed: failed[st.Cluster]})
	}
	return out
}

// versionBehind: the status's UpgradeAvailable condition (an upgrade planned, or a newer
// version the API offers), or an upgrade pending or deferred.
func versionBehind(st *status.ClusterStatus) bool {
	for _, c := range st.Conditions {
		if c.Type == status.UpgradeAvailable && c.Status == "True" {
			return true
		}
	}
	for _, p := range append(append([]status.Pending(nil), st.Pending...), st.Deferred...) {
		if strings.HasPrefix(p.Type, "upgrade-") {
			return true
		}
	}
	return false
}

// deferred counts the actions the final plan of p left deferred.
func deferred(p *passResult) int {
	if f := p.final(); f != nil && f.Plan != nil {
		return f.Plan.Summary.Deferred
	}
	return 0
}

// applyFailures are the clusters of an apply that failed or were stale, as "name: error".
func applyFailures(res *apply.Result) []string {
	if res == nil {
		return nil
	}
	var out []string
	for _, c := range res.Clusters {
		if c.State != apply.ClusterApplied {
			out = append(out, fmt.Sprintf("%s: %s: %s", c.Name, c.State, c.Error))
		}
	}
	return out
}

// readiness is what /readyz reports, updated after every tick.
type readiness struct {
	mu       sync.Mutex
	synced   bool   // a pass succeeded once
	failures int    // consecutive failed ticks
	last     string // the last failure
}

// record counts h and reports whether the loop is in a healthy state after it (synced and no
// failure since the last success).
func (s *readiness) record(h Health) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch h.Pass {
	case PassError:
		s.failures++
		s.last = h.Failure
	case PassOK, PassDeferred:
		s.synced, s.failures, s.last = true, 0, ""
	}
	return s.synced && s.failures == 0
}

func (s *readiness) get() (synced bool, failures int, last string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.synced, s.failures, s.last
}

// readyFailures is ReadyFailures or its default.
func (r *Runner) readyFailures() int {
	if r.ReadyFailures > 0 {
		return r.ReadyFailures
	}
	return 3
}

// Readiness says whether the loop is ready (for /readyz), and why not: it is not until a first
// pass succeeded (fetch, observe, plan and apply), and stops being after ReadyFailures
// consecutive failed ticks, until the next success.
func (r *Runner) Readiness() (bool, string) {
	synced, failures, last := r.health.get()
	switch {
	case !synced && last != "":
		return false, "not synced yet: " + last
	case !synced:
		return false, "not synced yet: no pass has succeeded"
	case failures >= r.readyFailures():
		return false, fmt.Sprintf("%d consecutive failed passes; last: %s", failures, last)
	}
	return true, ""
}

// Ready reports whether the loop is ready (see Readiness).
func (r *Runner) Ready() bool {
	ok, _ := r.Readiness()
	return ok
}

// ConsecutiveFailures is the number of failed ticks since the last successful pass.
func (r *Runner) ConsecutiveFailures() int {
	_, n, _ := r.health.get()
	return n
}
