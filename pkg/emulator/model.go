package emulator

import "time"

// Cluster is the wire form of a cluster (JSON names as the real API emits them).
type Cluster struct {
	Region              string           `json:"region"`
	ID                  string           `json:"id"`
	OrganizationID      string           `json:"organization_id"`
	ProjectID           string           `json:"project_id"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`
	Type                string           `json:"type"`
	Name                string           `json:"name"`
	Description         string           `json:"description"`
	Status              string           `json:"status"`
	Version             string           `json:"version"`
	Cni                 string           `json:"cni"`
	Tags                []string         `json:"tags"`
	ClusterURL          string           `json:"cluster_url"`
	DNSWildcard         string           `json:"dns_wildcard"`
	AutoscalerConfig    AutoscalerConfig `json:"autoscaler_config"`
	AutoUpgrade         AutoUpgrade      `json:"auto_upgrade"`
	UpgradeAvailable    bool             `json:"upgrade_available"`
	FeatureGates        []string         `json:"feature_gates"`
	AdmissionPlugins    []string         `json:"admission_plugins"`
	OpenIDConnectConfig OIDCConfig       `json:"open_id_connect_config"`
	ApiserverCertSans   []string         `json:"apiserver_cert_sans"`
	PrivateNetworkID    *string          `json:"private_network_id"`
	CommitmentEndsAt    time.Time        `json:"commitment_ends_at"`
	ACLAvailable        bool             `json:"acl_available"`
	IamNodesGroupID     string           `json:"iam_nodes_group_id"`
	PodCidr             string           `json:"pod_cidr"`
	ServiceCidr         string           `json:"service_cidr"`
	ServiceDNSIP        string           `json:"service_dns_ip"`
	NewImagesEnabled    bool             `json:"new_images_enabled"`
}

// AutoscalerConfig is the cluster autoscaler configuration.
type AutoscalerConfig struct {
	ScaleDownDisabled             bool    `json:"scale_down_disabled"`
	ScaleDownDelayAfterAdd        string  `json:"scale_down_delay_after_add"`
	Estimator                     string  `json:"estimator"`
	Expander                      string  `json:"expander"`
	IgnoreDaemonsetsUtilization   bool    `json:"ignore_daemonsets_utilization"`
	BalanceSimilarNodeGroups      bool    `json:"balance_similar_node_groups"`
	ExpendablePodsPriorityCutoff  int32   `json:"expendable_pods_priority_cutoff"`
	ScaleDownUnneededTime         string  `json:"scale_down_unneeded_time"`
	ScaleDownUtilizationThreshold float32 `json:"scale_down_utilization_threshold"`
	MaxGracefulTerminationSec     uint32  `json:"max_graceful_termination_sec"`
	SkipNodesWithLocalStorage     bool    `json:"skip_nodes_with_local_storage"`
	LogLevel                      int32   `json:"log_level"`
}

// AutoUpgrade is the patch auto-upgrade setting ("enabled" in responses).
type AutoUpgrade struct {
	Enabled           bool              `json:"enabled"`
	MaintenanceWindow MaintenanceWindow `json:"maintenance_window"`
}

// MaintenanceWindow is the auto-upgrade window.
type MaintenanceWindow struct {
	StartHour uint32 `json:"start_hour"`
	Day       string `json:"day"`
}

// OIDCConfig is the OpenID Connect configuration; empty strings and [] when unset.
type OIDCConfig struct {
	IssuerURL      string   `json:"issuer_url"`
	ClientID       string   `json:"client_id"`
	UsernameClaim  string   `json:"username_claim"`
	UsernamePrefix string   `json:"username_prefix"`
	GroupsClaim    []string `json:"groups_claim"`
	GroupsPrefix   string   `json:"groups_prefix"`
	RequiredClaim  []string `json:"required_claim"`
}

// Pool is the wire form of a node pool.
type Pool struct {
	Region                    string            `json:"region"`
	ID                        string            `json:"id"`
	ClusterID                 string            `json:"cluster_id"`
	CreatedAt                 time.Time         `json:"created_at"`
	UpdatedAt                 time.Time         `json:"updated_at"`
	Name                      string            `json:"name"`
	Status                    string            `json:"status"`
	Version                   string            `json:"version"`
	NodeType                  string            `json:"node_type"`
	Autoscaling               bool              `json:"autoscaling"`
	Size                      uint32            `json:"size"`
	MinSize                   uint32            `json:"min_size"`
	MaxSize                   uint32            `json:"max_size"`
	ContainerRuntime          string            `json:"container_runtime"`
	Autohealing               bool              `json:"autohealing"`
	Tags                      []string          `json:"tags"`
	PlacementGroupID          *string           `json:"placement_group_id"`
	KubeletArgs               map[string]string `json:"kubelet_args"`
	UpgradePolicy             UpgradePolicy     `json:"upgrade_policy"`
	Zone                      string            `json:"zone"`
	RootVolumeType            string            `json:"root_volume_type"`
	RootVolumeSize            uint64            `json:"root_volume_size"`
	PublicIPDisabled          bool              `json:"public_ip_disabled"`
	SecurityGroupID           string            `json:"security_group_id"`
	Labels                    map[string]string `json:"labels"`
	Taints                    []Taint           `json:"taints"`
	StartupTaints             []Taint           `json:"startup_taints"`
	PrivateNetworkID          *string           `json:"private_network_id"`
	ErrorMessage              *string           `json:"error_message"`
	MaxTerminationGracePeriod string            `json:"max_termination_grace_period"`
	NewImagesEnabled          bool              `json:"new_images_enabled"`
}

// UpgradePolicy is a pool's node replacement policy.
type UpgradePolicy struct {
	MaxUnavailable uint32 `json:"max_unavailable"`
	MaxSurge       uint32 `json:"max_surge"`
}

// Taint is a Kubernetes taint as the API stores it.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Effect string `json:"effect"`
}

// Node is the wire form of a node.
type Node struct {
	Region       string            `json:"region"`
	ID           string            `json:"id"`
	ClusterID    string            `json:"cluster_id"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	PoolID       string            `json:"pool_id"`
	Status       string            `json:"status"`
	Conditions   map[string]string `json:"conditions"`
	Name         string            `json:"name"`
	PublicIPV4   *string           `json:"public_ip_v4"`
	PublicIPV6   *string           `json:"public_ip_v6"`
	ProviderID   string            `json:"provider_id"`
	ErrorMessage string            `json:"error_message"`
}

// Version is the wire form of a Kubernetes version of the catalog.
type Version struct {
	Region                     string            `json:"region"`
	Name                       string            `json:"name"`
	Label                      string            `json:"label"`
	AvailableCnis              []string          `json:"available_cnis"`
	AvailableContainerRuntimes []string          `json:"available_container_runtimes"`
	AvailableFeatureGates      []string          `json:"available_feature_gates"`
	AvailableAdmissionPlugins  []string          `json:"available_admission_plugins"`
	AvailableKubeletArgs       map[string]string `json:"available_kubelet_args"`
	DeprecatedAt               time.Time         `json:"deprecated_at"`
	EndOfLifeAt                time.Time         `json:"end_of_life_at"`
	ReleasedAt                 time.Time         `json:"released_at"`
}

// ClusterType is the wire form of a cluster offer.
type ClusterType struct {
	Name               string  `json:"name"`
	Region             string  `json:"region"`
	Availability       string  `json:"availability"`
	MaxNodes           uint32  `json:"max_nodes"`
	CommitmentDelay    string  `json:"commitment_delay"`
	SLA                float32 `json:"sla"`
	Resiliency         string  `json:"resiliency"`
	Memory             uint64  `json:"memory"`
	Dedicated          bool    `json:"dedicated"`
	AuditLogsSupported bool    `json:"audit_logs_supported"`
	MaxEtcdSize        uint64  `json:"max_etcd_size"`
}

// ACLRule is one allowed source range of a cluster's API server.
type ACLRule struct {
	ID             string `json:"id"`
	Region         string `json:"region"`
	IP             string `json:"ip,omitempty"`
	ScalewayRanges bool   `json:"scaleway_ranges,omitempty"`
	Description    string `json:"description"`
}

// PrivateNetwork is the VPC v2 stub object.
type PrivateNetwork struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Tags           []string  `json:"tags"`
	OrganizationID string    `json:"organization_id"`
	ProjectID      string    `json:"project_id"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Subnets        []Subnet  `json:"subnets"`
	VpcID          string    `json:"vpc_id"`
	DHCPEnabled    bool      `json:"dhcp_enabled"`
	// DefaultRoutePropagationEnabled and HasS3Integration are always false in the recordings.
	DefaultRoutePropagationEnabled bool   `json:"default_route_propagation_enabled"`
	HasS3Integration               bool   `json:"has_s3_integration"`
	Region                         string `json:"region"`
}

// Subnet is a private network subnet.
type Subnet struct {
	ID               string    `json:"id"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Subnet           string    `json:"subnet"`
	ProjectID        string    `json:"project_id"`
	PrivateNetworkID string    `json:"private_network_id"`
	VpcID            string    `json:"vpc_id"`
	Region           string    `json:"region"`
}
