package emulator

import (
	"bytes"
	"encoding/json"
)

// Request bodies. Pointers distinguish "absent or null" (unchanged / default) from a value;
// for lists, a nil slice after decoding means null or absent, a non-nil empty slice means [].

type autoscalerReq struct {
	ScaleDownDisabled             *bool    `json:"scale_down_disabled"`
	ScaleDownDelayAfterAdd        *string  `json:"scale_down_delay_after_add"`
	Estimator                     string   `json:"estimator"`
	Expander                      string   `json:"expander"`
	IgnoreDaemonsetsUtilization   *bool    `json:"ignore_daemonsets_utilization"`
	BalanceSimilarNodeGroups      *bool    `json:"balance_similar_node_groups"`
	ExpendablePodsPriorityCutoff  *int32   `json:"expendable_pods_priority_cutoff"`
	ScaleDownUnneededTime         *string  `json:"scale_down_unneeded_time"`
	ScaleDownUtilizationThreshold *float32 `json:"scale_down_utilization_threshold"`
	MaxGracefulTerminationSec     *uint32  `json:"max_graceful_termination_sec"`
	SkipNodesWithLocalStorage     *bool    `json:"skip_nodes_with_local_storage"`
	LogLevel                      *int32   `json:"log_level"`
}

type windowReq struct {
	StartHour *uint32 `json:"start_hour"`
	Day       string  `json:"day"`
}

type autoUpgradeReq struct {
	Enable            *bool      `json:"enable"`
	MaintenanceWindow *windowReq `json:"maintenance_window"`
}

type oidcReq struct {
	IssuerURL      *string   `json:"issuer_url"`
	ClientID       *string   `json:"client_id"`
	UsernameClaim  *string   `json:"username_claim"`
	UsernamePrefix *string   `json:"username_prefix"`
	GroupsClaim    *[]string `json:"groups_claim"`
	GroupsPrefix   *string   `json:"groups_prefix"`
	RequiredClaim  *[]string `json:"required_claim"`
}

type upgradePolicyReq struct {
	MaxUnavailable *uint32 `json:"max_unavailable"`
	MaxSurge       *uint32 `json:"max_surge"`
}

type createPoolReq struct {
	Name                      string            `json:"name"`
	NodeType                  string            `json:"node_type"`
	PlacementGroupID          *string           `json:"placement_group_id"`
	Autoscaling               bool              `json:"autoscaling"`
	Size                      uint32            `json:"size"`
	MinSize                   *uint32           `json:"min_size"`
	MaxSize                   *uint32           `json:"max_size"`
	ContainerRuntime          string            `json:"container_runtime"`
	Autohealing               bool              `json:"autohealing"`
	Tags                      []string          `json:"tags"`
	KubeletArgs               map[string]string `json:"kubelet_args"`
	UpgradePolicy             *upgradePolicyReq `json:"upgrade_policy"`
	Zone                      string            `json:"zone"`
	RootVolumeType            string            `json:"root_volume_type"`
	RootVolumeSize            *uint64           `json:"root_volume_size"`
	PublicIPDisabled          bool              `json:"public_ip_disabled"`
	SecurityGroupID           *string           `json:"security_group_id"`
	Labels                    map[string]string `json:"labels"`
	Taints                    []Taint           `json:"taints"`
	StartupTaints             []Taint           `json:"startup_taints"`
	PrivateNetworkID          *string           `json:"private_network_id"`
	UserData                  map[string][]byte `json:"user_data"`
	MaxTerminationGracePeriod *string           `json:"max_termination_grace_period"`
}

type createClusterReq struct {
	OrganizationID      string          `json:"organization_id"`
	ProjectID           string          `json:"project_id"`
	Type                string          `json:"type"`
	Name                string          `json:"name"`
	Description         string          `json:"description"`
	Tags                []string        `json:"tags"`
	Version             string          `json:"version"`
	Cni                 string          `json:"cni"`
	Pools               []createPoolReq `json:"pools"`
	AutoscalerConfig    *autoscalerReq  `json:"autoscaler_config"`
	AutoUpgrade         *autoUpgradeReq `json:"auto_upgrade"`
	FeatureGates        []string        `json:"feature_gates"`
	AdmissionPlugins    []string        `json:"admission_plugins"`
	OpenIDConnectConfig *oidcReq        `json:"open_id_connect_config"`
	ApiserverCertSans   []string        `json:"apiserver_cert_sans"`
	PrivateNetworkID    *string         `json:"private_network_id"`
	PodCidr             *string         `json:"pod_cidr"`
	ServiceCidr         *string         `json:"service_cidr"`
	ServiceDNSIP        *string         `json:"service_dns_ip"`
}

type updateClusterReq struct {
	Name                *string         `json:"name"`
	Description         *string         `json:"description"`
	Tags                *[]string       `json:"tags"`
	AutoscalerConfig    *autoscalerReq  `json:"autoscaler_config"`
	AutoUpgrade         *autoUpgradeReq `json:"auto_upgrade"`
	FeatureGates        *[]string       `json:"feature_gates"`
	AdmissionPlugins    *[]string       `json:"admission_plugins"`
	OpenIDConnectConfig *oidcReq        `json:"open_id_connect_config"`
	ApiserverCertSans   *[]string       `json:"apiserver_cert_sans"`
}

type updatePoolReq struct {
	Autoscaling               *bool              `json:"autoscaling"`
	Size                      *uint32            `json:"size"`
	MinSize                   *uint32            `json:"min_size"`
	MaxSize                   *uint32            `json:"max_size"`
	Autohealing               *bool              `json:"autohealing"`
	Tags                      *[]string          `json:"tags"`
	KubeletArgs               *map[string]string `json:"kubelet_args"`
	UpgradePolicy             *upgradePolicyReq  `json:"upgrade_policy"`
	SecurityGroupID           *string            `json:"security_group_id"`
	MaxTerminationGracePeriod *string            `json:"max_termination_grace_period"`
}

// decode reads a JSON body; an empty body is an empty object.
func decode(r *request, v any) *apiError {
	if len(r.body) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	if err := dec.Decode(v); err != nil {
		return errBadRequest("invalid JSON body: " + err.Error())
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func orEmptyTaints(t []Taint) []Taint {
	if t == nil {
		return []Taint{}
	}
	return t
}
