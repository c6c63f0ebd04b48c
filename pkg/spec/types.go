package spec

// The types in this file are the user-facing contract of docs/contracts.md §2.
// JSON tags are the YAML field names (sigs.k8s.io/yaml semantics).

// APIVersion and Kind identify a cluster document.
const (
	APIVersion   = "reconciler.scaleway.dev/v1alpha1"
	KindCluster  = "Cluster"
	KindSettings = "Settings"
)

// Cluster is one `kind: Cluster` document.
type Cluster struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Metadata   Metadata    `json:"metadata"`
	Spec       ClusterSpec `json:"spec"`

	// Source is where the document was read from; it is not part of the YAML.
	Source Source `json:"-"`
	// Positions is where Load found the values that plan errors point at (Pos reads it): keys
	// are field paths, "spec.version", "spec.pools[N]", "spec.pools[N].nodeType" and
	// "spec.pools[N].zone" (N: the pool's index in the document). Not part of the YAML.
	Positions map[string]Position `json:"-"`
}

// Source locates a document in the user's repository.
type Source struct {
	File string // slash-separated path relative to the repository root
	Line int    // 1-based line of the document's first key
}

// Metadata names the cluster.
type Metadata struct {
	// Name is the Scaleway cluster name, unique per project and region.
	Name string `json:"name"`
	// Annotations are free-form; the reconciler reads none of them.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ClusterType values.
const (
	TypeKapsule    = "kapsule"
	TypeMulticloud = "multicloud"
)

// ClusterSpec is the desired state of one Kapsule or Kosmos cluster.
type ClusterSpec struct {
	// Region is fr-par | nl-ams | pl-waw | it-mil; default: defaults.region of reconciler.yaml.
	Region string `json:"region,omitempty"`
	// ProjectID is the Scaleway project (UUID); default: defaults.projectID of reconciler.yaml,
	// else the credentials' default project.
	ProjectID   string `json:"projectID,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is kapsule | kapsule-dedicated-4|8|16 | multicloud | multicloud-dedicated-4|8|16;
	// default kapsule.
	Type string `json:"type,omitempty"`
	// Version is a minor ("1.35": follow its latest patch) or an exact patch ("1.35.3").
	Version string `json:"version"`
	// CNI is cilium|calico|cilium_native|none (Kapsule, default cilium; none: bring your own CNI)
	// or kilo (Kosmos, its only and default CNI).
	CNI string `json:"cni,omitempty"`
	// PrivateNetworkID is required for Kapsule and forbidden for Kosmos.
	PrivateNetworkID string   `json:"privateNetworkID,omitempty"`
	Tags             []string `json:"tags,omitempty"`
	// ACL restricts who may reach the cluster's API server; nil: not managed (the API's default
	// lets everyone in). When set, its rules are the whole set.
	ACL *ACL `json:"acl,omitempty"`

	AutoUpgrade       *AutoUpgrade   `json:"autoUpgrade,omitempty"`
	Autoscaler        *Autoscaler    `json:"autoscaler,omitempty"`
	OpenIDConnect     *OpenIDConnect `json:"openIDConnect,omitempty"`
	FeatureGates      []string       `json:"featureGates,omitempty"`
	AdmissionPlugins  []string       `json:"admissionPlugins,omitempty"`
	APIServerCertSANs []string       `json:"apiserverCertSANs,omitempty"`
	PodCIDR           string         `json:"podCIDR,omitempty"`
	ServiceCIDR       string         `json:"serviceCIDR,omitempty"`
	ServiceDNSIP      string         `json:"serviceDNSIP,omitempty"`

	// Upgrade says when the reconciler may run minor upgrades; default: defaults.upgrade of
	// reconciler.yaml, else none (any time).
	Upgrade *UpgradePolicy `json:"upgrade,omitempty"`
	// DeletionProtection (default true): the cluster is never deleted while true.
	DeletionProtection *bool `json:"deletionProtection,omitempty"`
	// Adopt lets the reconciler take over a live cluster that lacks the ownership tag.
	Adopt bool `json:"adopt,omitempty"`
	// Drift is what to do with live fields that differ from the spec: revert (default) | report.
	Drift string `json:"drift,omitempty"`
	// AllowDisruptiveReplace opts in to replace-pool actions (immutable pool field changed).
	AllowDisruptiveReplace bool `json:"allowDisruptiveReplace,omitempty"`
	// Rollout places the cluster in a fleet rollout wave (rollout.go).
	Rollout *ClusterRollout `json:"rollout,omitempty"`

	Pools []Pool `json:"pools,omitempty"`
	// Prune deletes pools absent from the spec only when true (default false).
	Prune bool `json:"prune,omitempty"`
}

// ACL is the API server's access list: the IP ranges allowed in, and Scaleway's own ranges.
type ACL struct {
	Rules []ACLRule `json:"rules,omitempty"`
	// ScalewayRanges allows Scaleway's ranges (its managed services reaching the API server).
	ScalewayRanges bool `json:"scalewayRanges,omitempty"`
}

// ACLRule allows one IP range (CIDR, e.g. 203.0.113.0/24).
type ACLRule struct {
	IP          string `json:"ip"`
	Description string `json:"description,omitempty"`
}

// AutoUpgrade is Scaleway's own patch auto-upgrade.
type AutoUpgrade struct {
	Enabled           bool               `json:"enabled"`
	MaintenanceWindow *MaintenanceWindow `json:"maintenanceWindow,omitempty"`
}

// MaintenanceWindow is Scaleway's auto-upgrade window (UTC).
type MaintenanceWindow struct {
	// Day is any|monday|…|sunday.
	Day       string `json:"day,omitempty"`
	StartHour int    `json:"startHour"`
}

// Autoscaler is the cluster autoscaler configuration; nil fields keep the API default.
type Autoscaler struct {
	ScaleDownDisabled             *bool    `json:"scaleDownDisabled,omitempty"`
	ScaleDownDelayAfterAdd        string   `json:"scaleDownDelayAfterAdd,omitempty"`
	Estimator                     string   `json:"estimator,omitempty"`
	Expander                      string   `json:"expander,omitempty"`
	IgnoreDaemonsetsUtilization   *bool    `json:"ignoreDaemonsetsUtilization,omitempty"`
	BalanceSimilarNodeGroups      *bool    `json:"balanceSimilarNodeGroups,omitempty"`
	ExpendablePodsPriorityCutoff  *int32   `json:"expendablePodsPriorityCutoff,omitempty"`
	ScaleDownUnneededTime         string   `json:"scaleDownUnneededTime,omitempty"`
	ScaleDownUtilizationThreshold *float32 `json:"scaleDownUtilizationThreshold,omitempty"`
	MaxGracefulTerminationSec     *uint32  `json:"maxGracefulTerminationSec,omitempty"`
	SkipNodesWithLocalStorage     *bool    `json:"skipNodesWithLocalStorage,omitempty"`
	LogLevel                      *int32   `json:"logLevel,omitempty"`
}

// OpenIDConnect configures the API server's OIDC authentication.
type OpenIDConnect struct {
	IssuerURL      string   `json:"issuerURL"`
	ClientID       string   `json:"clientID"`
	UsernameClaim  string   `json:"usernameClaim,omitempty"`
	UsernamePrefix string   `json:"usernamePrefix,omitempty"`
	GroupsClaim    []string `json:"groupsClaim,omitempty"`
	GroupsPrefix   string   `json:"groupsPrefix,omitempty"`
	RequiredClaim  []string `json:"requiredClaim,omitempty"`
}

// UpgradePolicy says when the reconciler may run version upgrades.
type UpgradePolicy struct {
	Window *Window `json:"window,omitempty"`
	// IgnoreRemovedAPIs lets a minor upgrade run although objects are still served in API
	// versions the target minor removes (the removed-API pre-flight then only reports them).
	IgnoreRemovedAPIs bool `json:"ignoreRemovedAPIs,omitempty"`
}

// Window is a recurring time window: it opens at each cron firing and stays open for Duration.
type Window struct {
	// Schedule is a standard 5-field cron expression (robfig/cron ParseStandard).
	Schedule string `json:"schedule"`
	// Duration is how long the window stays open, e.g. "4h".
	Duration Duration `json:"duration"`
	// TimeZone is an IANA zone name; default UTC.
	TimeZone string `json:"timeZone,omitempty"`
}

// Pool is one node pool.
type Pool struct {
	Name     string `json:"name"`
	NodeType string `json:"nodeType"`
	// Zone defaults to the region's first zone (fr-par-1). Kapsule pools must be in the
	// cluster's region; Kosmos pools may be in any zone.
	Zone string `json:"zone,omitempty"`
	// Size is required unless autoscaling is enabled; then it must lie in [min, max].
	Size        *int         `json:"size,omitempty"`
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`
	Autohealing *bool        `json:"autohealing,omitempty"`
	// Version pins the pool to an older version than the cluster; default: the cluster's.
	Version       string            `json:"version,omitempty"`
	Tags          []string          `json:"tags,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	Taints        []Taint           `json:"taints,omitempty"`
	StartupTaints []Taint           `json:"startupTaints,omitempty"`
	KubeletArgs   map[string]string `json:"kubeletArgs,omitempty"`
	// ContainerRuntime is containerd (the only one the API offers, and the default).
	ContainerRuntime string      `json:"containerRuntime,omitempty"`
	RootVolume       *RootVolume `json:"rootVolume,omitempty"`
	PublicIPDisabled bool        `json:"publicIPDisabled,omitempty"`
	PlacementGroupID string      `json:"placementGroupID,omitempty"`
	// PrivateNetworkID attaches the pool's nodes to another Private Network of the cluster's VPC
	// (Kapsule); default: the cluster's. Create-only: a change replaces the pool.
	PrivateNetworkID string             `json:"privateNetworkID,omitempty"`
	SecurityGroupID  string             `json:"securityGroupID,omitempty"`
	UpgradePolicy    *PoolUpgradePolicy `json:"upgradePolicy,omitempty"`
	// MaxTerminationGracePeriod is e.g. "15m" (API default 15m, max 1h).
	MaxTerminationGracePeriod *Duration `json:"maxTerminationGracePeriod,omitempty"`
	// UserData is given to the pool's nodes at creation (by key, e.g. cloud-init). The API
	// cannot change it later: it is applied to a pool created from now on (a new pool, or a
	// replacement).
	UserData map[string]string `json:"userData,omitempty"`
	// Rotation is merged over defaults.rotation of reconciler.yaml, then the built-in defaults.
	Rotation *Rotation `json:"rotation,omitempty"`
}

// Autoscaling hands the pool size to the cluster autoscaler between Min and Max.
type Autoscaling struct {
	Enabled bool `json:"enabled"`
	Min     int  `json:"min"`
	Max     int  `json:"max"`
}

// Taint is a Kubernetes node taint.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

// RootVolume is the nodes' root volume.
type RootVolume struct {
	// Type is l_ssd|sbs_5k|sbs_15k (b_ssd is deprecated).
	Type   string `json:"type,omitempty"`
	SizeGB int    `json:"sizeGB,omitempty"`
}

// PoolUpgradePolicy is Scaleway's surge/unavailable policy for pool upgrades.
type PoolUpgradePolicy struct {
	MaxSurge       *int `json:"maxSurge,omitempty"`
	MaxUnavailable *int `json:"maxUnavailable,omitempty"`
}

// OnDrainTimeout values.
const (
	OnDrainTimeoutSkip  = "skip"
	OnDrainTimeoutForce = "force"
	OnDrainTimeoutAbort = "abort"
)

// Rotation is the reconciler's node-rotation policy for one pool.
type Rotation struct {
	// Enabled defaults to true.
	Enabled *bool `json:"enabled,omitempty"`
	// MaxAge is the age after which a node is replaced; default 720h, at least 24h.
	MaxAge *Duration `json:"maxAge,omitempty"`
	// Window is when rotation may run; nil means any time.
	Window *Window `json:"window,omitempty"`
	// Budget is how many nodes (N) or what share ("N%", rounded up, at least 1) are replaced at once.
	Budget *IntOrPercent `json:"budget,omitempty"`
	// DrainTimeout bounds one node's drain; default 30m.
	DrainTimeout *Duration `json:"drainTimeout,omitempty"`
	// OnDrainTimeout is skip|force|abort; default skip.
	OnDrainTimeout string `json:"onDrainTimeout,omitempty"`
	// Deadline is the age after which an overdue node is rotated at the next window even when the
	// budget schedule would defer it; default MaxAge + 168h.
	Deadline *Duration `json:"deadline,omitempty"`
}

// Settings is the optional repo-level reconciler.yaml.
type Settings struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	// Defaults are merged under every cluster's spec (the cluster's own values win).
	Defaults SettingsDefaults `json:"defaults,omitempty"`
	// Prune allows deleting clusters whose spec is gone (with the other conditions of docs/contracts.md §7).
	Prune bool `json:"prune,omitempty"`
	// Owner declares this repository's identity, tagged on the clusters it owns
	// (reconciler.scaleway.dev/owner=<owner>). The identity is the operator's (--owner, else
	// derived from the git URL and branch); a declared owner that differs stops the pass
	// (reconcile.OwnerOf): a committed file cannot choose which clusters are owned.
	Owner string `json:"owner,omitempty"`
	// Status is refused when it names a branch: the status branch is run's --status-branch.
	Status *StatusSettings `json:"status,omitempty"`
	// Rollout is the fleet rollout policy: soak time between waves and what halts it (rollout.go).
	Rollout *RolloutSettings `json:"rollout,omitempty"`
	// Preflight turns on the pre-flight checks through each cluster's kubeconfig (rollout.go).
	Preflight *PreflightSettings `json:"preflight,omitempty"`
	// Lifecycle configures what the loop proposes as Scaleway's versions age (pull requests).
	Lifecycle *LifecycleSettings `json:"lifecycle,omitempty"`
	// Notify lists where alerts go (pkg/notify, docs/notifications.md).
	Notify *NotifySettings `json:"notify,omitempty"`
}

// LifecycleSettings configures the lifecycle pull requests.
type LifecycleSettings struct {
	PullRequests *PullRequestSettings `json:"pullRequests,omitempty"`
}

// Forge kinds of PullRequestSettings.Forge.
const (
	ForgeGitea  = "gitea"
	ForgeGitHub = "github"
)

// PullRequestSettings: the loop opens, per cluster, one pull request that bumps spec.version one
// minor DaysBeforeDeprecation days before the live minor's deprecation, or syncs it to the live
// minor after Scaleway upgraded the cluster past the spec (docs/contracts.md §8).
type PullRequestSettings struct {
	// Enabled defaults to true when the forge is known (Forge set, or the repository is on
	// github.com), false otherwise.
	Enabled *bool `json:"enabled,omitempty"`
	// DaysBeforeDeprecation defaults to 30 (1 to 365).
	DaysBeforeDeprecation *int `json:"daysBeforeDeprecation,omitempty"`
	// Forge is gitea | github; default: github for a github.com repository, else unknown (off).
	Forge string `json:"forge,omitempty"`
	// URL is the forge's base URL (required for Gitea; GitHub: default https://api.github.com).
	URL string `json:"url,omitempty"`
	// Repo is owner/name; default: derived from the repository URL.
	Repo string `json:"repo,omitempty"`
	// BaseBranch the pull requests target; default: the branch being reconciled.
	BaseBranch string `json:"baseBranch,omitempty"`
	// TokenEnv names the environment variable holding the forge token (default
	// RECONCILER_FORGE_TOKEN); TokenFile, when set, is read instead. Never the token itself.
	TokenEnv  string `json:"tokenEnv,omitempty"`
	TokenFile string `json:"tokenFile,omitempty"`
}

// SettingsDefaults are the repo-wide defaults.
type SettingsDefaults struct {
	ProjectID string         `json:"projectID,omitempty"`
	Region    string         `json:"region,omitempty"`
	Upgrade   *UpgradePolicy `json:"upgrade,omitempty"`
	Rotation  *Rotation      `json:"rotation,omitempty"`
	Tags      []string       `json:"tags,omitempty"`
}

// StatusSettings is reserved: a branch here is refused by validation (the status branch is
// chosen by `reconciler run --status-branch`, before reconciler.yaml is read).
type StatusSettings struct {
	// Branch is refused; use run's --status-branch.
	Branch string `json:"branch,omitempty"`
}
