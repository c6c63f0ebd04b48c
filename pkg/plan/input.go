package plan

import (
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Input is everything Compute reasons about. It is a plain value: Compute reads no clock, no file
// and no network.
type Input struct {
	// Revision is the commit the desired specs were read from.
	Revision string
	// Now is the time windows, deprecation dates and rotation ages are evaluated at.
	Now time.Time
	// Desired are the cluster specs, already defaulted and validated.
	Desired []*spec.Cluster
	// Snapshots are the observed live states, one per region+project the specs (and the deletion
	// check) need. A spec whose region+project has no snapshot is a plan error.
	Snapshots []*cloud.Snapshot
	// Owner is this repository's identity: the clusters it creates carry the owner tag
	// cloud.OwnerTag(Owner); a cluster tagged with another identity is never changed or deleted.
	// "" is an unknown identity: nothing is deleted, and clusters with any owner tag are left alone.
	Owner string
	// Prune is the repo-level setting (reconciler.yaml) that allows deleting clusters whose spec
	// is gone, with the other conditions of docs/contracts.md §7.
	Prune bool
	// LastApplied is, per cluster key (see Key), what the status files in the repository record.
	// A status is a report, never an authorisation: it can only keep a cluster from being
	// deleted. A cluster absent from it has no status.
	LastApplied map[string]Applied
	// Rotate plans node rotation (package rotation's rules) for every owned live cluster that
	// has a spec: rotate-node actions, deferrals and, per pool, the rotation calendar
	// (ClusterPlan.RotationCalendar) with its warnings. Compute orders the actions, counts them
	// in the Summary and applies the cluster-level gates (not-ready, locked); a rotation of a pool
	// that this plan upgrades, replaces or deletes is deferred with why "superseded".
	Rotate bool
	// Rollout is the repo's rollout policy; Health, per cluster key, what the status files record
	// of each cluster's health (waves.go). Clusters of a wave above 0 take a hop only after the
	// lower waves took it and soaked.
	Rollout Rollout
	Health  map[string]Health
	// Elsewhere, when set, are the clusters of the revision that another replica plans (run
	// --shards): the rollout's waves count them, with the facts their status files record, but
	// they are never planned here (waves_elsewhere.go). nil: Desired is the whole fleet.
	Elsewhere *Elsewhere
	// Preflight is, per cluster key, what package preflight read from the cluster (preflight.go);
	// absent: not checked.
	Preflight map[string]*Preflight
}

// Applied is what a status file records of a cluster.
type Applied struct {
	// File is the status file's path, for messages.
	File string
	// ID is the live cluster id the status described ("" when none).
	ID string
	// DeletionProtection is the last applied spec's spec.deletionProtection; true when the status
	// records no last applied spec.
	DeletionProtection bool
}

// Key identifies a cluster across specs, live state and status files: "<region>/<project>/<name>".
func Key(region, projectID, name string) string {
	return region + "/" + projectID + "/" + name
}

// SplitKey is the inverse of Key.
func SplitKey(key string) (region, projectID, name string, ok bool) {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}
