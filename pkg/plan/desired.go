package plan

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// defaultGracePeriod is the API's default for a pool's maxTerminationGracePeriod (docs/scaleway-k8s-api.md §2).
const defaultGracePeriod = 15 * time.Minute

// DefaultZone is the zone the API picks for a pool without one: the region's first zone.
func DefaultZone(region string) string { return region + "-1" }

// defaultCNI is the CNI a cluster type gets when the spec names none (as spec.Default).
func defaultCNI(clusterType string) string {
	if spec.IsKosmos(clusterType) {
		return spec.KosmosCNI
	}
	return spec.DefaultKapsuleCNI
}

// clusterType is the spec's type, defaulted.
func clusterType(c *spec.Cluster) string {
	if c.Spec.Type == "" {
		return spec.DefaultType
	}
	return c.Spec.Type
}

// DesiredCluster projects a spec onto the live shape, normalised like the API and with the API's
// defaults for unset fields, ready for a create request: tags carry the ownership tag, pools are
// projected with DesiredPool. Version is the spec's as written ("1.35" or "1.35.3"); the exact
// version to create is the create-cluster action's Details["version"]. owner is the repository
// identity (Input.Owner) the tags name.
func DesiredCluster(c *spec.Cluster, owner string) cloud.Cluster {
	s := c.Spec
	out := cloud.Cluster{
		Name:              c.Metadata.Name,
		Region:            s.Region,
		ProjectID:         s.ProjectID,
		Type:              clusterType(c),
		Version:           s.Version,
		CNI:               s.CNI,
		Description:       s.Description,
		PrivateNetworkID:  s.PrivateNetworkID,
		Tags:              desiredTags(s.Tags, owner, s.DeletionProtection == nil || *s.DeletionProtection),
		AutoUpgrade:       cloud.AutoUpgrade{Day: "any"},
		Autoscaler:        desiredAutoscaler(s.Autoscaler, defaultAutoscaler()),
		FeatureGates:      nonNil(s.FeatureGates),
		AdmissionPlugins:  nonNil(s.AdmissionPlugins),
		APIServerCertSANs: nonNil(s.APIServerCertSANs),
		PodCIDR:           s.PodCIDR,
		ServiceCIDR:       s.ServiceCIDR,
		ServiceDNSIP:      s.ServiceDNSIP,
	}
	if out.CNI == "" {
		out.CNI = defaultCNI(out.Type)
	}
	if a := s.AutoUpgrade; a != nil {
		out.AutoUpgrade.Enabled = a.Enabled
		if w := a.MaintenanceWindow; w != nil {
			if w.Day != "" {
				out.AutoUpgrade.Day = w.Day
			}
			out.AutoUpgrade.StartHour = w.StartHour
		}
	}
	if o := s.OpenIDConnect; o != nil {
		out.OpenIDConnect = cloud.OpenIDConnect{
			IssuerURL: o.IssuerURL, ClientID: o.ClientID, UsernameClaim: o.UsernameClaim,
			UsernamePrefix: o.UsernamePrefix, GroupsClaim: nonNil(o.GroupsClaim),
			GroupsPrefix: o.GroupsPrefix, RequiredClaim: nonNil(o.RequiredClaim),
		}
	}
	for _, p := range s.Pools {
		out.Pools = append(out.Pools, DesiredPool(s.Region, p))
	}
	return out
}

// desiredTags is the spec's tags, without duplicates and in spec order, then the reconciler's:
// the ownership tag, this repository's owner tag (when its identity is known) and the mirror of
// spec.deletionProtection, the deletion evidence only apply writes.
func desiredTags(tags []string, owner string, protected bool) []string {
	out := make([]string, 0, len(tags)+3)
	for _, t := range tags {
		if !slices.Contains(out, t) && !strings.HasPrefix(t, cloud.TagPrefix) {
			out = append(out, t)
		}
	}
	own := []string{cloud.ManagedByTag, cloud.ProtectionTag(protected)}
	if owner != "" {
		own = append(own, cloud.OwnerTag(owner))
	}
	for _, t := range own {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// defaultAutoscaler is what the API stores when a create request leaves every field unset.
func defaultAutoscaler() cloud.Autoscaler {
	return cloud.Autoscaler{
		ScaleDownDelayAfterAdd: "10m", Estimator: "binpacking", Expander: "random",
		ExpendablePodsPriorityCutoff: -10, ScaleDownUnneededTime: "10m",
		ScaleDownUtilizationThreshold: 0.5, MaxGracefulTerminationSec: 600,
		SkipNodesWithLocalStorage: true, LogLevel: 2,
	}
}

// desiredAutoscaler overlays the spec's set fields on base.
func desiredAutoscaler(a *spec.Autoscaler, base cloud.Autoscaler) cloud.Autoscaler {
	if a == nil {
		return base
	}
	setB := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	setS := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setB(&base.ScaleDownDisabled, a.ScaleDownDisabled)
	setS(&base.ScaleDownDelayAfterAdd, a.ScaleDownDelayAfterAdd)
	setS(&base.Estimator, a.Estimator)
	setS(&base.Expander, a.Expander)
	setB(&base.IgnoreDaemonsetsUtilization, a.IgnoreDaemonsetsUtilization)
	setB(&base.BalanceSimilarNodeGroups, a.BalanceSimilarNodeGroups)
	if a.ExpendablePodsPriorityCutoff != nil {
		base.ExpendablePodsPriorityCutoff = *a.ExpendablePodsPriorityCutoff
	}
	setS(&base.ScaleDownUnneededTime, a.ScaleDownUnneededTime)
	if a.ScaleDownUtilizationThreshold != nil {
		base.ScaleDownUtilizationThreshold = *a.ScaleDownUtilizationThreshold
	}
	if a.MaxGracefulTerminationSec != nil {
		base.MaxGracefulTerminationSec = *a.MaxGracefulTerminationSec
	}
	setB(&base.SkipNodesWithLocalStorage, a.SkipNodesWithLocalStorage)
	if a.LogLevel != nil {
		base.LogLevel = *a.LogLevel
	}
	return base
}

// DesiredPool projects a pool spec onto the live shape, normalised like the API (node type
// lowercase with "_", zone defaulted to the region's first zone, root volume in GB) and with the
// API's defaults for unset fields. RootVolumeType "" and RootVolumeSizeGB 0 mean "the API's
// default for the node type". Version is the spec's pin ("" = the cluster's version).
func DesiredPool(region string, p spec.Pool) cloud.Pool {
	out := cloud.Pool{
		Name:                      p.Name,
		Version:                   p.Version,
		NodeType:                  spec.NormalizeNodeType(p.NodeType),
		Zone:                      p.Zone,
		Size:                      1,
		Tags:                      nonNil(p.Tags),
		Labels:                    nonNilMap(p.Labels),
		Taints:                    cloudTaints(p.Taints),
		StartupTaints:             cloudTaints(p.StartupTaints),
		KubeletArgs:               nonNilMap(p.KubeletArgs),
		ContainerRuntime:          p.ContainerRuntime,
		PublicIPDisabled:          p.PublicIPDisabled,
		PlacementGroupID:          p.PlacementGroupID,
		PrivateNetworkID:          p.PrivateNetworkID,
		SecurityGroupID:           p.SecurityGroupID,
		UpgradePolicy:             cloud.UpgradePolicy{MaxSurge: 0, MaxUnavailable: 1},
		MaxTerminationGracePeriod: defaultGracePeriod,
	}
	if out.Zone == "" {
		out.Zone = DefaultZone(region)
	}
	if out.ContainerRuntime == "" {
		out.ContainerRuntime = spec.DefaultContainerRuntime
	}
	if p.Size != nil {
		out.Size = *p.Size
	}
	if a := p.Autoscaling; a != nil && a.Enabled {
		out.Autoscaling, out.MinSize, out.MaxSize = true, a.Min, a.Max
		if p.Size == nil {
			out.Size = a.Min
		}
		out.Size = min(max(out.Size, a.Min), a.Max)
	} else {
		out.MinSize, out.MaxSize = out.Size, out.Size
	}
	if p.Autohealing != nil {
		out.Autohealing = *p.Autohealing
	}
	if r := p.RootVolume; r != nil {
		out.RootVolumeType, out.RootVolumeSizeGB = r.Type, r.SizeGB
	}
	if u := p.UpgradePolicy; u != nil {
		if u.MaxSurge != nil {
			out.UpgradePolicy.MaxSurge = *u.MaxSurge
		}
		if u.MaxUnavailable != nil {
			out.UpgradePolicy.MaxUnavailable = *u.MaxUnavailable
		}
	}
	if p.MaxTerminationGracePeriod != nil {
		out.MaxTerminationGracePeriod = p.MaxTerminationGracePeriod.Duration
	}
	if len(p.UserData) > 0 {
		out.UserData = maps.Clone(p.UserData)
	}
	return out
}

func cloudTaints(ts []spec.Taint) []cloud.Taint {
	out := make([]cloud.Taint, 0, len(ts))
	for _, t := range ts {
		out = append(out, cloud.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
	}
	return out
}

func specTaints(ts []cloud.Taint) []spec.Taint {
	out := make([]spec.Taint, 0, len(ts))
	for _, t := range ts {
		out = append(out, spec.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func nonNilMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
