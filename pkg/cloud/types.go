package cloud

import "time"

// Ref names the scope of one observation: a project in a region.
type Ref struct {
	Region    string
	ProjectID string
}

// Snapshot is the live state of one project in one region, as observed at one moment.
// It is a plain value: plan reads it and never calls the cloud.
type Snapshot struct {
	Ref Ref
	// Clusters are every cluster of the project in the region, with their pools and nodes.
	Clusters []Cluster
	// Versions is the region's version catalog, newest first.
	Versions []Version
	// Zones are the node-type catalogs of the zones the specs' pools use, one per zone, in zone
	// order (pkg/reconcile fills them; nil: none read, and the plan checks no node type).
	Zones []ZoneCatalog
	// Others are the clusters of the list a scoped observation left out (ScopedObserver: another
	// shard's), as listed: no pools, nodes or version facts. Nothing plans them here; they let
	// the holder of shard 0 name every orphan of the repository.
	Others []Cluster
}

// Cluster is a live cluster. Field names follow the spec's, values the API's (normalised).
type Cluster struct {
	ID                string
	Name              string
	Region            string
	ProjectID         string
	Type              string
	Status            string // creating|ready|deleting|updating|locked|pool_required|…
	Version           string // exact x.y.z
	CNI               string
	Description       string
	PrivateNetworkID  string
	Tags              []string
	AutoUpgrade       AutoUpgrade
	Autoscaler        Autoscaler
	OpenIDConnect     OpenIDConnect
	FeatureGates      []string
	AdmissionPlugins  []string
	APIServerCertSANs []string
	PodCIDR           string
	ServiceCIDR       string
	ServiceDNSIP      string
	UpgradeAvailable  bool
	// CommitmentEndsAt is when the type may be lowered again: the creation time for a
	// mutualised type, the last set-type to a dedicated tier plus its 30-day commitment otherwise.
	// nil when the API did not say.
	CommitmentEndsAt *time.Time
	// ACL is the API server's access list; nil when not observed (Observe does not read it: the
	// reconciler asks ACLs.ClusterACLRules for the clusters whose spec declares one).
	ACL []ACLRule
	// LiveVersion is the catalog facts (dates) of Version's minor: the region list's entry of that
	// minor, else GetVersion of Version (a minor past end of life has left the list); nil when
	// the API does not know the version.
	LiveVersion *Version
	// AvailableVersions are the exact versions the cluster may be upgraded to
	// (ListClusterAvailableVersions); nil when not asked (Observe does not: one call per
	// cluster; a decision that needs them asks the provider's AvailableVersions).
	AvailableVersions []string
	// AvailableVersionsError says why AvailableVersions could not be read when they were asked
	// ("" when read or not asked): the plan then warns and takes targets from the region list.
	AvailableVersionsError string
	CreatedAt              time.Time
	UpdatedAt              time.Time
	Pools                  []Pool
}

// AutoUpgrade is Scaleway's patch auto-upgrade setting.
type AutoUpgrade struct {
	Enabled   bool
	Day       string // any|monday|…|sunday
	StartHour int
}

// Autoscaler is the live autoscaler configuration (every field has its API value).
type Autoscaler struct {
	ScaleDownDisabled             bool
	ScaleDownDelayAfterAdd        string
	Estimator                     string
	Expander                      string
	IgnoreDaemonsetsUtilization   bool
	BalanceSimilarNodeGroups      bool
	ExpendablePodsPriorityCutoff  int32
	ScaleDownUnneededTime         string
	ScaleDownUtilizationThreshold float32
	MaxGracefulTerminationSec     uint32
	SkipNodesWithLocalStorage     bool
	LogLevel                      int32
}

// OpenIDConnect is the live OIDC configuration; IssuerURL "" means none.
type OpenIDConnect struct {
	IssuerURL      string
	ClientID       string
	UsernameClaim  string
	UsernamePrefix string
	GroupsClaim    []string
	GroupsPrefix   string
	RequiredClaim  []string
}

// Pool is a live node pool.
type Pool struct {
	ID               string
	ClusterID        string
	Name             string
	Status           string // ready|scaling|upgrading|deleting|warning|locked|…
	Version          string
	NodeType         string // as the API returns it (lowercase, "_"): pro2_s
	Zone             string
	Size             int
	Autoscaling      bool
	MinSize          int
	MaxSize          int
	Autohealing      bool
	Tags             []string
	Labels           map[string]string
	Taints           []Taint
	StartupTaints    []Taint
	KubeletArgs      map[string]string
	ContainerRuntime string
	RootVolumeType   string
	RootVolumeSizeGB int
	PublicIPDisabled bool
	PlacementGroupID string
	// PrivateNetworkID is the Private Network the nodes are attached to (the cluster's unless
	// the pool was created with another one).
	PrivateNetworkID          string
	SecurityGroupID           string
	UpgradePolicy             UpgradePolicy
	MaxTerminationGracePeriod time.Duration
	// UserData is given to the nodes at creation (key → content); create-only, not observed.
	UserData     map[string]string
	ErrorMessage string
	CreatedAt    time.Time
	Nodes        []Node
}

// Taint is a Kubernetes taint as the API stores it.
type Taint struct {
	Key    string
	Value  string
	Effect string
}

// UpgradePolicy is a pool's surge/unavailable policy.
type UpgradePolicy struct {
	MaxSurge       int
	MaxUnavailable int
}

// Node is a live node.
type Node struct {
	ID           string
	PoolID       string
	Name         string
	ProviderID   string
	Status       string // creating|ready|not_ready|deleting|rebooting|…
	ErrorMessage string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Version is one entry of the version catalog.
type Version struct {
	Name                 string // exact x.y.z, the latest patch of its minor
	AvailableCNIs        []string
	AvailableKubeletArgs map[string]string
	ReleasedAt           *time.Time
	DeprecatedAt         *time.Time
	EndOfLifeAt          *time.Time
}

// ACLRule is one entry of a cluster's API server access list: an IP range or Scaleway's ranges.
type ACLRule struct {
	ID             string
	IP             string // CIDR; "" when ScalewayRanges
	ScalewayRanges bool
	Description    string
}
