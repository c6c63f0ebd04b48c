package plan

import (
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Payload is the typed content of an action: exactly what apply sends, computed with the plan so
// apply never reads Changes or Details back. The fields of the action's type are set. It is not
// part of the JSON contract: Changes and Details display it.
type Payload struct {
	// Cluster (create-cluster) is the cluster to create: exact version, every tag, pools inline.
	Cluster *cloud.Cluster
	// ClusterUpdate (update-cluster) is the PATCH: only the fields that differ are set.
	ClusterUpdate *cloud.ClusterUpdate
	// ACL (set-cluster-acl) is the whole access list to set.
	ACL []cloud.ACLRule
	// Type (set-cluster-type) is the target cluster type.
	Type string
	// Version (upgrade-cluster, upgrade-pool) is the exact x.y.z to reach.
	Version string
	// Pool (update-pool, upgrade-pool, delete-pool, replace-pool) names the live pool acted on.
	Pool string
	// NewPool (create-pool, replace-pool) is the pool to create; for a replace-pool whose new
	// pool already exists (an interrupted replacement), NewPool.ID is set.
	NewPool *cloud.Pool
	// Replace (replace-pool) is the old pool's id, the steps left and the drain policy.
	Replace *PoolReplacement
	// PoolPatch (update-pool) is the PATCH and the label/taint PUTs.
	PoolPatch *PoolPatch
	// Rotate (rotate-node) is the node to replace and how.
	Rotate *NodeRotation
	// Delete (delete-cluster) is the live evidence the deletion was planned on; apply checks it
	// again on a fresh observation.
	Delete *Deletion
}

// PoolPatch is what an update-pool action sends: the PATCH and the three dedicated PUTs
// (labels, taints, startup taints); nil means "not part of this action".
type PoolPatch struct {
	Update        cloud.PoolUpdate
	Labels        *map[string]string
	Taints        *[]cloud.Taint
	StartupTaints *[]cloud.Taint
}

// NodeRotation is one node's replacement: drain it (within DrainTimeout, then OnDrainTimeout),
// replace it, wait for its successor. No node is started at or after WindowEnd (zero: no window).
type NodeRotation struct {
	ClusterID, Pool, PoolID, Node, NodeID string
	CreatedAt                             time.Time
	DrainTimeout                          time.Duration
	OnDrainTimeout                        string // skip | force | abort
	WindowEnd                             time.Time
}

// Deletion is the evidence a delete-cluster was planned on.
type Deletion struct {
	ClusterID string
	Owner     string
}
