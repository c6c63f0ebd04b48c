package scaleway

import (
	"fmt"
	"net"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// createClusterRequest maps every field of c (pools inline). Empty strings and zero structs mean
// "server default": they are sent as null or as the SDK's unknown_* enum.
func createClusterRequest(ref cloud.Ref, c cloud.Cluster) (*k8s.CreateClusterRequest, error) {
	req := &k8s.CreateClusterRequest{
		Region: scw.Region(ref.Region), ProjectID: ptrIf(ref.ProjectID),
		Type: c.Type, Name: c.Name, Description: c.Description, Tags: c.Tags, Version: c.Version,
		Cni: k8s.CNI(orDefault(c.CNI, string(k8s.CNIUnknownCni))), Pools: []*k8s.CreateClusterRequestPoolConfig{},
		FeatureGates: c.FeatureGates, AdmissionPlugins: c.AdmissionPlugins, ApiserverCertSans: c.APIServerCertSANs,
		PrivateNetworkID: ptrIf(c.PrivateNetworkID),
	}
	for _, p := range c.Pools {
		req.Pools = append(req.Pools, poolConfig(p))
	}
	if c.Autoscaler != (cloud.Autoscaler{}) {
		a := autoscalerPatch(c.Autoscaler)
		ca := k8s.CreateClusterRequestAutoscalerConfig(a)
		req.AutoscalerConfig = &ca
	}
	if c.AutoUpgrade != (cloud.AutoUpgrade{}) {
		req.AutoUpgrade = &k8s.CreateClusterRequestAutoUpgrade{Enable: c.AutoUpgrade.Enabled, MaintenanceWindow: window(c.AutoUpgrade)}
	}
	if o := c.OpenIDConnect; o.IssuerURL != "" {
		req.OpenIDConnectConfig = &k8s.CreateClusterRequestOpenIDConnectConfig{
			IssuerURL: o.IssuerURL, ClientID: o.ClientID, UsernameClaim: ptrIf(o.UsernameClaim),
			UsernamePrefix: ptrIf(o.UsernamePrefix), GroupsClaim: slicePtrIf(o.GroupsClaim),
			GroupsPrefix: ptrIf(o.GroupsPrefix), RequiredClaim: slicePtrIf(o.RequiredClaim),
		}
	}
	var err error
	if req.PodCidr, err = cidr("pod CIDR", c.PodCIDR); err != nil {
		return nil, err
	}
	if req.ServiceCidr, err = cidr("service CIDR", c.ServiceCIDR); err != nil {
		return nil, err
	}
	if c.ServiceDNSIP != "" {
		v := net.ParseIP(c.ServiceDNSIP)
		if v == nil {
			return nil, invalidInput("service DNS IP %q is not an IP address", c.ServiceDNSIP)
		}
		req.ServiceDNSIP = &v
	}
	return req, nil
}

func poolConfig(p cloud.Pool) *k8s.CreateClusterRequestPoolConfig {
	pc := &k8s.CreateClusterRequestPoolConfig{
		Name: p.Name, NodeType: p.NodeType, PlacementGroupID: ptrIf(p.PlacementGroupID),
		Autoscaling: p.Autoscaling, Size: u32(p.Size),
		ContainerRuntime: k8s.Runtime(orDefault(p.ContainerRuntime, string(k8s.RuntimeUnknownRuntime))),
		Autohealing:      p.Autohealing, Tags: p.Tags, KubeletArgs: p.KubeletArgs, Zone: scw.Zone(p.Zone),
		RootVolumeType:   k8s.PoolVolumeType(orDefault(p.RootVolumeType, string(k8s.PoolVolumeTypeDefaultVolumeType))),
		PublicIPDisabled: p.PublicIPDisabled, SecurityGroupID: ptrIf(p.SecurityGroupID), Labels: p.Labels,
		Taints: toTaints(p.Taints), StartupTaints: toTaints(p.StartupTaints),
		PrivateNetworkID: ptrIf(p.PrivateNetworkID),
	}
	if p.Autoscaling {
		pc.MinSize, pc.MaxSize = scw.Uint32Ptr(u32(p.MinSize)), scw.Uint32Ptr(u32(p.MaxSize))
	}
	if p.UpgradePolicy != (cloud.UpgradePolicy{}) {
		pc.UpgradePolicy = &k8s.CreateClusterRequestPoolConfigUpgradePolicy{
			MaxUnavailable: scw.Uint32Ptr(u32(p.UpgradePolicy.MaxUnavailable)), MaxSurge: scw.Uint32Ptr(u32(p.UpgradePolicy.MaxSurge)),
		}
	}
	if p.RootVolumeSizeGB > 0 {
		pc.RootVolumeSize = scw.SizePtr(scw.Size(uint64(p.RootVolumeSizeGB) * gb))
	}
	if p.MaxTerminationGracePeriod > 0 {
		pc.MaxTerminationGracePeriod = scw.NewDurationFromTimeDuration(p.MaxTerminationGracePeriod)
	}
	if len(p.UserData) > 0 {
		pc.UserData = map[string][]byte{}
		for k, v := range p.UserData {
			pc.UserData[k] = []byte(v)
		}
	}
	return pc
}

func createPoolRequest(region, clusterID string, p cloud.Pool) *k8s.CreatePoolRequest {
	pc := poolConfig(p)
	req := &k8s.CreatePoolRequest{
		Region: scw.Region(region), ClusterID: clusterID,
		Name: pc.Name, NodeType: pc.NodeType, PlacementGroupID: pc.PlacementGroupID, Autoscaling: pc.Autoscaling,
		Size: pc.Size, MinSize: pc.MinSize, MaxSize: pc.MaxSize, ContainerRuntime: pc.ContainerRuntime,
		Autohealing: pc.Autohealing, Tags: pc.Tags, KubeletArgs: pc.KubeletArgs, Zone: pc.Zone,
		RootVolumeType: pc.RootVolumeType, RootVolumeSize: pc.RootVolumeSize, PublicIPDisabled: pc.PublicIPDisabled,
		SecurityGroupID: pc.SecurityGroupID, Labels: pc.Labels, Taints: pc.Taints, StartupTaints: pc.StartupTaints,
		MaxTerminationGracePeriod: pc.MaxTerminationGracePeriod, UserData: pc.UserData,
		PrivateNetworkID: pc.PrivateNetworkID,
	}
	if up := pc.UpgradePolicy; up != nil {
		req.UpgradePolicy = &k8s.CreatePoolRequestUpgradePolicy{MaxUnavailable: up.MaxUnavailable, MaxSurge: up.MaxSurge}
	}
	return req
}

// updateClusterRequest carries only the non-nil fields of u.
func updateClusterRequest(region, id string, u cloud.ClusterUpdate) *k8s.UpdateClusterRequest {
	req := &k8s.UpdateClusterRequest{
		Region: scw.Region(region), ClusterID: id, Description: u.Description, Tags: u.Tags,
		FeatureGates: u.FeatureGates, AdmissionPlugins: u.AdmissionPlugins, ApiserverCertSans: u.APIServerCertSANs,
	}
	if u.Autoscaler != nil {
		a := autoscalerPatch(*u.Autoscaler)
		req.AutoscalerConfig = &a
	}
	if au := u.AutoUpgrade; au != nil {
		req.AutoUpgrade = &k8s.UpdateClusterRequestAutoUpgrade{Enable: scw.BoolPtr(au.Enabled), MaintenanceWindow: window(*au)}
	}
	if o := u.OpenIDConnect; o != nil {
		req.OpenIDConnectConfig = &k8s.UpdateClusterRequestOpenIDConnectConfig{
			IssuerURL: scw.StringPtr(o.IssuerURL), ClientID: scw.StringPtr(o.ClientID),
			UsernameClaim: scw.StringPtr(o.UsernameClaim), UsernamePrefix: scw.StringPtr(o.UsernamePrefix),
			GroupsClaim: slicePtr(o.GroupsClaim), GroupsPrefix: scw.StringPtr(o.GroupsPrefix),
			RequiredClaim: slicePtr(o.RequiredClaim),
		}
	}
	return req
}

// autoscalerPatch sends every field; empty strings (durations, enums) stay null / unknown_*.
func autoscalerPatch(a cloud.Autoscaler) k8s.UpdateClusterRequestAutoscalerConfig {
	return k8s.UpdateClusterRequestAutoscalerConfig{
		ScaleDownDisabled:             scw.BoolPtr(a.ScaleDownDisabled),
		ScaleDownDelayAfterAdd:        ptrIf(a.ScaleDownDelayAfterAdd),
		Estimator:                     k8s.AutoscalerEstimator(orDefault(a.Estimator, string(k8s.AutoscalerEstimatorUnknownEstimator))),
		Expander:                      k8s.AutoscalerExpander(orDefault(a.Expander, string(k8s.AutoscalerExpanderUnknownExpander))),
		IgnoreDaemonsetsUtilization:   scw.BoolPtr(a.IgnoreDaemonsetsUtilization),
		BalanceSimilarNodeGroups:      scw.BoolPtr(a.BalanceSimilarNodeGroups),
		ExpendablePodsPriorityCutoff:  scw.Int32Ptr(a.ExpendablePodsPriorityCutoff),
		ScaleDownUnneededTime:         ptrIf(a.ScaleDownUnneededTime),
		ScaleDownUtilizationThreshold: scw.Float32Ptr(a.ScaleDownUtilizationThreshold),
		MaxGracefulTerminationSec:     scw.Uint32Ptr(a.MaxGracefulTerminationSec),
		SkipNodesWithLocalStorage:     scw.BoolPtr(a.SkipNodesWithLocalStorage),
		LogLevel:                      scw.Int32Ptr(a.LogLevel),
	}
}

// updatePoolRequest carries only the non-nil fields of u.
func updatePoolRequest(region, id string, u cloud.PoolUpdate) *k8s.UpdatePoolRequest {
	req := &k8s.UpdatePoolRequest{
		Region: scw.Region(region), PoolID: id, Autoscaling: u.Autoscaling, Autohealing: u.Autohealing,
		Tags: u.Tags, KubeletArgs: u.KubeletArgs, SecurityGroupID: u.SecurityGroupID,
		Size: u32Ptr(u.Size), MinSize: u32Ptr(u.MinSize), MaxSize: u32Ptr(u.MaxSize),
	}
	if up := u.UpgradePolicy; up != nil {
		req.UpgradePolicy = &k8s.UpdatePoolRequestUpgradePolicy{
			MaxUnavailable: scw.Uint32Ptr(u32(up.MaxUnavailable)), MaxSurge: scw.Uint32Ptr(u32(up.MaxSurge)),
		}
	}
	if s := u.MaxTerminationGracePeriod; s != nil {
		req.MaxTerminationGracePeriod = scw.NewDurationFromTimeDuration(time.Duration(*s) * time.Second)
	}
	return req
}

func window(a cloud.AutoUpgrade) *k8s.MaintenanceWindow {
	return &k8s.MaintenanceWindow{
		StartHour: u32(a.StartHour),
		Day:       k8s.MaintenanceWindowDayOfTheWeek(orDefault(a.Day, string(k8s.MaintenanceWindowDayOfTheWeekAny))),
	}
}

func cidr(what, s string) (*scw.IPNet, error) {
	if s == "" {
		return nil, nil
	}
	addr, n, err := net.ParseCIDR(s)
	if err != nil {
		return nil, invalidInput("%s %q is not a CIDR", what, s)
	}
	n.IP = addr
	return &scw.IPNet{IPNet: *n}, nil
}

// invalidInput is a caller error caught before any request: retrying cannot help.
func invalidInput(format string, args ...any) error {
	return &cloud.TerminalError{Reason: "invalid_arguments", Err: fmt.Errorf(format, args...)}
}

func ptrIf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func slicePtrIf(s []string) *[]string {
	if len(s) == 0 {
		return nil
	}
	return &s
}

func slicePtr(s []string) *[]string {
	if s == nil {
		s = []string{}
	}
	return &s
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func u32(v int) uint32 { return uint32(max(v, 0)) }

func u32Ptr(v *int) *uint32 {
	if v == nil {
		return nil
	}
	return scw.Uint32Ptr(u32(*v))
}
