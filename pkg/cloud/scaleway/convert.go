package scaleway

import (
	"maps"
	"net"
	"slices"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// gb is the unit the API uses for volume sizes (decimal: 20 GB = 20000000000 bytes).
const gb = 1_000_000_000

func fromCluster(c *k8s.Cluster) cloud.Cluster {
	out := cloud.Cluster{
		ID: c.ID, Name: c.Name, Region: string(c.Region), ProjectID: c.ProjectID, Type: c.Type,
		Status: string(c.Status), Version: c.Version, CNI: string(c.Cni), Description: c.Description,
		PrivateNetworkID:  deref(c.PrivateNetworkID),
		Tags:              orEmpty(c.Tags),
		FeatureGates:      orEmpty(c.FeatureGates),
		AdmissionPlugins:  orEmpty(c.AdmissionPlugins),
		APIServerCertSANs: orEmpty(c.ApiserverCertSans),
		PodCIDR:           ipNet(c.PodCidr),
		ServiceCIDR:       ipNet(c.ServiceCidr),
		ServiceDNSIP:      ip(c.ServiceDNSIP),
		UpgradeAvailable:  c.UpgradeAvailable,
		CommitmentEndsAt:  timePtr(c.CommitmentEndsAt),
		CreatedAt:         tm(c.CreatedAt),
		UpdatedAt:         tm(c.UpdatedAt),
		Pools:             []cloud.Pool{},
	}
	if au := c.AutoUpgrade; au != nil {
		out.AutoUpgrade.Enabled = au.Enabled
		if mw := au.MaintenanceWindow; mw != nil {
			out.AutoUpgrade.Day, out.AutoUpgrade.StartHour = string(mw.Day), int(mw.StartHour)
		}
	}
	if a := c.AutoscalerConfig; a != nil {
		out.Autoscaler = cloud.Autoscaler{
			ScaleDownDisabled: a.ScaleDownDisabled, ScaleDownDelayAfterAdd: a.ScaleDownDelayAfterAdd,
			Estimator: string(a.Estimator), Expander: string(a.Expander),
			IgnoreDaemonsetsUtilization: a.IgnoreDaemonsetsUtilization, BalanceSimilarNodeGroups: a.BalanceSimilarNodeGroups,
			ExpendablePodsPriorityCutoff: a.ExpendablePodsPriorityCutoff, ScaleDownUnneededTime: a.ScaleDownUnneededTime,
			ScaleDownUtilizationThreshold: a.ScaleDownUtilizationThreshold, MaxGracefulTerminationSec: a.MaxGracefulTerminationSec,
			SkipNodesWithLocalStorage: a.SkipNodesWithLocalStorage, LogLevel: a.LogLevel,
		}
	}
	if o := c.OpenIDConnectConfig; o != nil {
		out.OpenIDConnect = cloud.OpenIDConnect{
			IssuerURL: o.IssuerURL, ClientID: o.ClientID, UsernameClaim: o.UsernameClaim, UsernamePrefix: o.UsernamePrefix,
			GroupsClaim: orEmpty(o.GroupsClaim), GroupsPrefix: o.GroupsPrefix, RequiredClaim: orEmpty(o.RequiredClaim),
		}
	}
	return out
}

func fromPool(p *k8s.Pool) cloud.Pool {
	out := cloud.Pool{
		ID: p.ID, ClusterID: p.ClusterID, Name: p.Name, Status: string(p.Status), Version: p.Version,
		NodeType: p.NodeType, Zone: string(p.Zone), Size: int(p.Size), Autoscaling: p.Autoscaling,
		MinSize: int(p.MinSize), MaxSize: int(p.MaxSize), Autohealing: p.Autohealing,
		Tags: orEmpty(p.Tags), Labels: mapOrEmpty(p.Labels), KubeletArgs: mapOrEmpty(p.KubeletArgs),
		Taints: fromTaints(p.Taints), StartupTaints: fromTaints(p.StartupTaints),
		ContainerRuntime: string(p.ContainerRuntime), RootVolumeType: string(p.RootVolumeType),
		PublicIPDisabled: p.PublicIPDisabled, PlacementGroupID: deref(p.PlacementGroupID),
		PrivateNetworkID: deref(p.PrivateNetworkID), SecurityGroupID: p.SecurityGroupID, ErrorMessage: deref(p.ErrorMessage), CreatedAt: tm(p.CreatedAt),
		Nodes: []cloud.Node{},
	}
	if p.RootVolumeSize != nil {
		out.RootVolumeSizeGB = int(uint64(*p.RootVolumeSize) / gb)
	}
	if up := p.UpgradePolicy; up != nil {
		out.UpgradePolicy = cloud.UpgradePolicy{MaxSurge: int(up.MaxSurge), MaxUnavailable: int(up.MaxUnavailable)}
	}
	if d := p.MaxTerminationGracePeriod.ToTimeDuration(); d != nil {
		out.MaxTerminationGracePeriod = *d
	}
	return out
}

func fromNode(n *k8s.Node) cloud.Node {
	return cloud.Node{
		ID: n.ID, PoolID: n.PoolID, Name: n.Name, ProviderID: n.ProviderID, Status: string(n.Status),
		ErrorMessage: deref(n.ErrorMessage), CreatedAt: tm(n.CreatedAt), UpdatedAt: tm(n.UpdatedAt),
	}
}

func fromVersion(v *k8s.Version) cloud.Version {
	out := cloud.Version{
		Name: v.Name, AvailableKubeletArgs: mapOrEmpty(v.AvailableKubeletArgs),
		ReleasedAt: v.ReleasedAt, DeprecatedAt: v.DeprecatedAt, EndOfLifeAt: v.EndOfLifeAt,
		AvailableCNIs: []string{},
	}
	for _, c := range v.AvailableCnis {
		out.AvailableCNIs = append(out.AvailableCNIs, string(c))
	}
	return out
}

func fromTaints(ts []*k8s.CoreV1Taint) []cloud.Taint {
	out := []cloud.Taint{}
	for _, t := range ts {
		if t != nil {
			out = append(out, cloud.Taint{Key: t.Key, Value: t.Value, Effect: string(t.Effect)})
		}
	}
	return out
}

func toTaints(ts []cloud.Taint) []*k8s.CoreV1Taint {
	out := make([]*k8s.CoreV1Taint, 0, len(ts))
	for _, t := range ts {
		out = append(out, &k8s.CoreV1Taint{Key: t.Key, Value: t.Value, Effect: k8s.CoreV1TaintEffect(t.Effect)})
	}
	return out
}

// assemble puts pools and nodes under their cluster, keeping the API's order (created_at asc).
// Nodes whose pool is not listed (a pool deleted between the two lists) are dropped.
func assemble(c *k8s.Cluster, pools []*k8s.Pool, nodes []*k8s.Node) cloud.Cluster {
	out := fromCluster(c)
	index := make(map[string]int, len(pools))
	for _, p := range pools {
		index[p.ID] = len(out.Pools)
		out.Pools = append(out.Pools, fromPool(p))
	}
	for _, n := range nodes {
		if i, ok := index[n.PoolID]; ok {
			out.Pools[i].Nodes = append(out.Pools[i].Nodes, fromNode(n))
		}
	}
	return out
}

// timePtr copies an optional time (UTC), so the cloud model shares nothing with the response.
func timePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func tm(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func ipNet(n scw.IPNet) string {
	if n.IP == nil {
		return ""
	}
	return n.String()
}

func ip(v net.IP) string {
	if v == nil {
		return ""
	}
	return v.String()
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func mapOrEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
