package cloudfake

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// DefaultSecurityGroupID is what pools get when they name no security group.
const DefaultSecurityGroupID = "5ec0a1d7-0000-4000-8000-000000000000"

// Observe returns every cluster of ref in creation order, with the catalog.
func (f *Fake) Observe(_ context.Context, ref cloud.Ref) (*cloud.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin("Observe", ref.Region, ref.ProjectID, ""); err != nil {
		return nil, err
	}
	s := &cloud.Snapshot{Ref: ref, Clusters: []cloud.Cluster{}, Versions: slices.Clone(f.versions)}
	for _, cs := range f.clusters {
		if cs.c.Region == ref.Region && cs.c.ProjectID == ref.ProjectID {
			s.Clusters = append(s.Clusters, f.view(cs))
		}
	}
	return s, nil
}

// GetCluster returns one cluster with its pools and nodes.
func (f *Fake) GetCluster(_ context.Context, region, id string) (*cloud.Cluster, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("GetCluster", region, id, "")
	if err != nil {
		return nil, err
	}
	cs, err := f.findCluster(region, id)
	if err != nil {
		return nil, f.end(idx, err)
	}
	c := f.view(cs)
	return &c, nil
}

func (f *Fake) findCluster(region, id string) (*clusterState, error) {
	cs := f.cluster(id)
	if cs == nil || cs.c.Region != region {
		return nil, notFound("cluster", id)
	}
	return cs, nil
}

// mutableCluster finds a cluster that accepts a mutation now.
func (f *Fake) mutableCluster(region, id string) (*clusterState, error) {
	cs, err := f.findCluster(region, id)
	if err != nil {
		return nil, err
	}
	if cs.c.Status == "locked" {
		return nil, locked("cluster", id)
	}
	if clusterTransient(cs.c.Status) {
		return nil, transientState("cluster", id, cs.c.Status)
	}
	return cs, nil
}

// CreateCluster creates c with its pools, in status creating. Like the API, the response has no
// pools; GetCluster shows them.
func (f *Fake) CreateCluster(_ context.Context, ref cloud.Ref, c cloud.Cluster) (*cloud.Cluster, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("CreateCluster", ref.Region, c.Name, c.Version)
	if err != nil {
		return nil, err
	}
	if err := f.validateCluster(c); err != nil {
		return nil, f.end(idx, err)
	}
	total := map[string]int{}
	for _, p := range c.Pools {
		zone := cmpOr(p.Zone, ref.Region+"-1")
		total[zone] += newNodes(p)
		if err := f.checkNodeType(zone, p.NodeType, total[zone]); err != nil {
			return nil, f.end(idx, err)
		}
	}
	now := f.clock.Now()
	pools := c.Pools
	c = cloneCluster(c)
	c.ID, c.Region, c.ProjectID, c.CreatedAt, c.UpdatedAt = f.newID(0xc1), ref.Region, ref.ProjectID, now, now
	if c.Name == "" {
		c.Name = fmt.Sprintf("k8s-%d", f.seq)
	}
	defaultCluster(&c)
	c.CommitmentEndsAt = commitmentEnd(c.Type, now)
	cs := &clusterState{c: c}
	for _, p := range pools {
		f.addPool(cs, p)
	}
	f.startCluster(cs, "creating")
	f.clusters = append(f.clusters, cs)
	out := f.view(cs)
	out.Pools = []cloud.Pool{} // as the API: POST /clusters does not return the inline pools
	return &out, nil
}

func (f *Fake) validateCluster(c cloud.Cluster) error {
	if !f.inCatalog(c.Version) {
		return invalid("version", fmt.Sprintf("version %q is not available for creation", c.Version))
	}
	if strings.HasPrefix(c.Type, "multicloud") && c.PrivateNetworkID != "" {
		return invalid("private_network_id", "a multicloud cluster cannot have a private network")
	}
	seen := map[string]bool{}
	for _, p := range c.Pools {
		if seen[p.Name] {
			return invalid("name", "pool name must be unique across the cluster")
		}
		seen[p.Name] = true
	}
	return nil
}

func defaultCluster(c *cloud.Cluster) {
	if c.Type == "" {
		c.Type = "kapsule"
	}
	if c.CNI == "" {
		c.CNI = "cilium"
		if strings.HasPrefix(c.Type, "multicloud") {
			c.CNI = "kilo"
		}
	}
	c.PodCIDR = cmpOr(c.PodCIDR, "100.64.0.0/15")
	c.ServiceCIDR = cmpOr(c.ServiceCIDR, "10.32.0.0/20")
	c.ServiceDNSIP = cmpOr(c.ServiceDNSIP, "10.32.0.10")
	c.AutoUpgrade.Day = cmpOr(c.AutoUpgrade.Day, "any")
	defaultAutoscaler(&c.Autoscaler)
	for _, s := range []*[]string{&c.Tags, &c.FeatureGates, &c.AdmissionPlugins, &c.APIServerCertSANs} {
		if *s == nil {
			*s = []string{}
		}
	}
}

// defaultAutoscaler fills the enum and duration fields the API defaults when they are unset; the
// numeric fields are stored as given, as the API does with explicit values.
func defaultAutoscaler(a *cloud.Autoscaler) {
	a.ScaleDownDelayAfterAdd = cmpOr(a.ScaleDownDelayAfterAdd, "10m")
	a.ScaleDownUnneededTime = cmpOr(a.ScaleDownUnneededTime, "10m")
	a.Estimator = cmpOr(a.Estimator, "binpacking")
	a.Expander = cmpOr(a.Expander, "random")
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// UpdateCluster applies the non-nil fields of u; the cluster goes updating.
func (f *Fake) UpdateCluster(_ context.Context, region, id string, u cloud.ClusterUpdate) (*cloud.Cluster, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("UpdateCluster", region, id, "")
	if err != nil {
		return nil, err
	}
	cs, err := f.mutableCluster(region, id)
	if err != nil {
		return nil, f.end(idx, err)
	}
	c := &cs.c
	setIf(&c.Description, u.Description)
	setSlice(&c.Tags, u.Tags)
	setSlice(&c.FeatureGates, u.FeatureGates)
	setSlice(&c.AdmissionPlugins, u.AdmissionPlugins)
	setSlice(&c.APIServerCertSANs, u.APIServerCertSANs)
	if u.AutoUpgrade != nil {
		c.AutoUpgrade = *u.AutoUpgrade
		c.AutoUpgrade.Day = cmpOr(c.AutoUpgrade.Day, "any")
	}
	if u.Autoscaler != nil {
		mergeAutoscaler(&c.Autoscaler, *u.Autoscaler)
	}
	if u.OpenIDConnect != nil {
		c.OpenIDConnect = *u.OpenIDConnect
		c.OpenIDConnect.GroupsClaim = slices.Clone(u.OpenIDConnect.GroupsClaim)
		c.OpenIDConnect.RequiredClaim = slices.Clone(u.OpenIDConnect.RequiredClaim)
	}
	f.startCluster(cs, "updating")
	out := f.view(cs)
	return &out, nil
}

// mergeAutoscaler applies a PATCH: empty strings mean unchanged (null on the wire).
func mergeAutoscaler(dst *cloud.Autoscaler, src cloud.Autoscaler) {
	keep := *dst
	*dst = src
	dst.ScaleDownDelayAfterAdd = cmpOr(src.ScaleDownDelayAfterAdd, keep.ScaleDownDelayAfterAdd)
	dst.ScaleDownUnneededTime = cmpOr(src.ScaleDownUnneededTime, keep.ScaleDownUnneededTime)
	dst.Estimator = cmpOr(src.Estimator, keep.Estimator)
	dst.Expander = cmpOr(src.Expander, keep.Expander)
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func setSlice(dst *[]string, src *[]string) {
	if src != nil {
		*dst = append([]string{}, *src...)
	}
}

// UpgradeCluster moves the control plane to version (and every pool with upgradePools).
func (f *Fake) UpgradeCluster(_ context.Context, region, id, version string, upgradePools bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	arg := version
	if upgradePools {
		arg += ", upgradePools"
	}
	idx, err := f.begin("UpgradeCluster", region, id, arg)
	if err != nil {
		return err
	}
	cs, err := f.mutableCluster(region, id)
	if err != nil {
		return f.end(idx, err)
	}
	if err := f.checkUpgrade(cs.c.Version, version); err != nil {
		return f.end(idx, err)
	}
	cs.c.Version = version
	f.startCluster(cs, "updating")
	f.refreshUpgradeAvailable(cs)
	if upgradePools {
		for _, ps := range cs.pools {
			if ps.p.Status != "deleting" && ps.p.Status != "locked" {
				f.upgradePool(cs, ps, version)
			}
		}
	}
	return nil
}

func (f *Fake) refreshUpgradeAvailable(cs *clusterState) {
	cs.c.UpgradeAvailable = false
	for _, v := range f.versions {
		if f.checkUpgrade(cs.c.Version, v.Name) == nil {
			cs.c.UpgradeAvailable = true
		}
	}
}

// SetClusterType changes the type to one of ListClusterAvailableTypes.
func (f *Fake) SetClusterType(_ context.Context, region, id, clusterType string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("SetClusterType", region, id, clusterType)
	if err != nil {
		return err
	}
	cs, err := f.mutableCluster(region, id)
	if err != nil {
		return f.end(idx, err)
	}
	if !slices.Contains(availableTypes(cs.c.Type), clusterType) {
		return f.end(idx, invalid("type", fmt.Sprintf("type %q is not available for this cluster", clusterType)))
	}
	cs.c.Type = clusterType
	cs.c.CommitmentEndsAt = commitmentEnd(clusterType, f.clock.Now())
	f.startCluster(cs, "updating")
	return nil
}

// ListClusterAvailableTypes lists the types SetClusterType accepts.
func (f *Fake) ListClusterAvailableTypes(_ context.Context, region, id string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("ListClusterAvailableTypes", region, id, "")
	if err != nil {
		return nil, err
	}
	cs, err := f.findCluster(region, id)
	if err != nil {
		return nil, f.end(idx, err)
	}
	return availableTypes(cs.c.Type), nil
}

// DeleteCluster starts deleting the cluster with its pools and nodes; it is accepted in any
// state but locked, and a repeat is a no-op.
func (f *Fake) DeleteCluster(_ context.Context, region, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("DeleteCluster", region, id, "")
	if err != nil {
		return err
	}
	cs, err := f.findCluster(region, id)
	if err != nil {
		return f.end(idx, err)
	}
	switch cs.c.Status {
	case "locked":
		return f.end(idx, locked("cluster", id))
	case "deleting":
		return nil
	}
	f.startCluster(cs, "deleting")
	for _, ps := range cs.pools {
		f.startPool(ps, "deleting")
		for _, ns := range ps.nodes {
			f.removeNode(ns)
		}
	}
	return nil
}

// Kubeconfig returns a small admin kubeconfig naming the cluster.
func (f *Fake) Kubeconfig(_ context.Context, region, clusterID string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("Kubeconfig", region, clusterID, "")
	if err != nil {
		return nil, err
	}
	cs, err := f.findCluster(region, clusterID)
	if err != nil {
		return nil, f.end(idx, err)
	}
	server := fmt.Sprintf("https://%s.api.k8s.%s.scw.cloud:6443", cs.c.ID, cs.c.Region)
	return fmt.Appendf(nil, `apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
contexts:
- name: admin@%[1]s
  context:
    cluster: %[1]s
    user: %[1]s-admin
current-context: admin@%[1]s
users:
- name: %[1]s-admin
  user:
    token: fake-token
`, cs.c.Name, server), nil
}
