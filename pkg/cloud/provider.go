package cloud

import "context"

// Provider is the live side as apply, rotation and the run loop use it. The scaleway subpackage
// implements it over scaleway-sdk-go; cloudfake implements it in memory for narrow unit tests.
// Every method maps API errors to *NotFoundError, *TransientError or *TerminalError, keeping the
// API's own message. Calls return as soon as the API accepted the request; waiting is the caller's.
// A provider may retry its reads (Observe, GetCluster, ListClusterAvailableTypes, ListNodeTypes,
// Kubeconfig: the scaleway one does, each request on its own) and never retries a mutation:
// callers retry mutations (apply) and never retry a failed read (polling while waiting is not a
// retry), so a request is retried at one layer only.
type Provider interface {
	// Observe lists every cluster of ref (all pages) with its pools and nodes, plus the version
	// catalog, with the fewest calls: one cluster list, then pools and nodes per cluster.
	Observe(ctx context.Context, ref Ref) (*Snapshot, error)
	// GetCluster returns one cluster with its pools and nodes.
	GetCluster(ctx context.Context, region, id string) (*Cluster, error)

	// CreateCluster creates c (ID ignored; Pools created inline). ref gives region and project.
	CreateCluster(ctx context.Context, ref Ref, c Cluster) (*Cluster, error)
	UpdateCluster(ctx context.Context, region, id string, u ClusterUpdate) (*Cluster, error)
	UpgradeCluster(ctx context.Context, region, id, version string, upgradePools bool) error
	SetClusterType(ctx context.Context, region, id, clusterType string) error
	ListClusterAvailableTypes(ctx context.Context, region, id string) ([]string, error)
	DeleteCluster(ctx context.Context, region, id string) error

	CreatePool(ctx context.Context, region, clusterID string, p Pool) (*Pool, error)
	UpdatePool(ctx context.Context, region, id string, u PoolUpdate) (*Pool, error)
	SetPoolLabels(ctx context.Context, region, id string, labels map[string]string) error
	SetPoolTaints(ctx context.Context, region, id string, taints []Taint) error
	SetPoolStartupTaints(ctx context.Context, region, id string, taints []Taint) error
	UpgradePool(ctx context.Context, region, id, version string) error
	DeletePool(ctx context.Context, region, id string) error

	// ListNodeTypes reads one zone's node-type catalog (every page of the Instance product list,
	// with its availability) and, when the provider can read it, the zone's Instance quota.
	// It is a read: retried inside the provider like Observe.
	ListNodeTypes(ctx context.Context, zone string) (*ZoneCatalog, error)

	// ReplaceNode replaces a node with a new one (new ID, fresh CreatedAt); pool size is unchanged.
	ReplaceNode(ctx context.Context, region, nodeID string) error
	// Kubeconfig returns the cluster's admin kubeconfig (YAML).
	Kubeconfig(ctx context.Context, region, clusterID string) ([]byte, error)
}

// ScopedObserver is a Provider that can observe part of a project: the cluster list is read
// whole (one list), but only the clusters keep accepts (by region and name) are read further
// (pools, nodes, version facts) and returned. Sharded loops (run --shards) use it so that each
// replica reads the children of its own clusters only.
type ScopedObserver interface {
	ObserveScoped(ctx context.Context, ref Ref, keep func(region, name string) bool) (*Snapshot, error)
}

// ClusterUpdate is a PATCH: nil fields are left unchanged.
type ClusterUpdate struct {
	Description       *string
	Tags              *[]string
	AutoUpgrade       *AutoUpgrade
	Autoscaler        *Autoscaler
	OpenIDConnect     *OpenIDConnect
	FeatureGates      *[]string
	AdmissionPlugins  *[]string
	APIServerCertSANs *[]string
}

// PoolUpdate is a PATCH: nil fields are left unchanged.
type PoolUpdate struct {
	Size                      *int
	Autoscaling               *bool
	MinSize                   *int
	MaxSize                   *int
	Autohealing               *bool
	Tags                      *[]string
	KubeletArgs               *map[string]string
	UpgradePolicy             *UpgradePolicy
	SecurityGroupID           *string
	MaxTerminationGracePeriod *int // seconds
}

// ACLs is what a provider offers for cluster access lists (the scaleway provider has it).
type ACLs interface {
	// ClusterACLRules lists the cluster's ACL rules (every page).
	ClusterACLRules(ctx context.Context, region, clusterID string) ([]ACLRule, error)
	// SetClusterACLRules replaces the cluster's ACL rules with rules (IDs ignored).
	SetClusterACLRules(ctx context.Context, region, clusterID string, rules []ACLRule) error
}
