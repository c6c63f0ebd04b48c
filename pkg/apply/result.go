package apply

import (
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// Outcome is what happened to one action; the values are stable wire names.
type Outcome string

// Outcomes.
const (
	Done    Outcome = "done"    // the action mutated the cloud and the target became ready
	Skipped Outcome = "skipped" // already satisfied, or not executable here (Reason says why)
	Failed  Outcome = "failed"  // it ran and failed; the cluster's remaining actions are not-run
	NotRun  Outcome = "not-run" // an earlier failure or a stale plan stopped the cluster first
)

// ClusterState is the overall status of one cluster after apply.
type ClusterState string

// Cluster states.
const (
	ClusterApplied ClusterState = "applied" // every action done or skipped
	ClusterFailed  ClusterState = "failed"  // an action failed
	ClusterStale   ClusterState = "stale"   // the plan was stale for this cluster: nothing done
)

// ActionResult is the outcome of one action.
type ActionResult struct {
	ID       string          `json:"id"`
	Type     plan.ActionType `json:"type"`
	Target   string          `json:"target"`
	Outcome  Outcome         `json:"outcome"`
	Duration time.Duration   `json:"duration"`
	// Reason says why an action was skipped (already-exists, already-at-version, …).
	Reason string `json:"reason,omitempty"`
	// Error is the error text, with the API's own message, when Outcome is failed.
	Error string `json:"error,omitempty"`
}

// ClusterResult is the outcome of one cluster's plan.
type ClusterResult struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// ProjectID is the cluster's project (with Region and Name, its plan.Key).
	ProjectID string         `json:"project_id,omitempty"`
	ID        string         `json:"id"` // known after create-cluster
	State     ClusterState   `json:"state"`
	Actions   []ActionResult `json:"actions"`
	// Error is the error that stopped the cluster (failed or stale).
	Error string `json:"error,omitempty"`
	// Err is the same error as a value, for errors.As (not serialised).
	Err error `json:"-"`
}

// Result is the outcome of one apply, clusters in plan order.
type Result struct {
	Clusters []ClusterResult `json:"clusters"`
}

// Failed reports whether any cluster failed or was refused as stale.
func (r *Result) Failed() bool {
	for _, c := range r.Clusters {
		if c.State != ClusterApplied {
			return true
		}
	}
	return false
}

// Count returns how many actions had outcome o.
func (r *Result) Count(o Outcome) int {
	n := 0
	for _, c := range r.Clusters {
		for _, a := range c.Actions {
			if a.Outcome == o {
				n++
			}
		}
	}
	return n
}

// StalePlanError says the live state changed since planning in a way that matters: nothing was
// done for the cluster; plan again (the run loop does so on the next tick).
type StalePlanError struct {
	Cluster string
	// Detail names what changed, e.g. `version 1.34.6 → 1.35.3`.
	Detail string
}

func (e *StalePlanError) Error() string {
	return fmt.Sprintf("plan for cluster %q is stale: %s", e.Cluster, e.Detail)
}

// TimeoutError says a wait for readiness ran out of time.
type TimeoutError struct {
	What   string // "cluster prod-par to be ready"
	After  time.Duration
	Status string // last status seen
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("timed out after %s waiting for %s (status %s)", e.After, e.What, e.Status)
}
