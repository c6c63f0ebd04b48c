package cloudfake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// addPool stores a new pool (scaling, with size new nodes) in the cluster. The caller validated it.
func (f *Fake) addPool(cs *clusterState, p cloud.Pool) *poolState {
	p = clonePool(p)
	p.ID, p.ClusterID, p.CreatedAt = f.newID(0xb1), cs.c.ID, f.clock.Now()
	p.Version = cs.c.Version
	p.NodeType = normalizeNodeType(p.NodeType)
	p.Zone = cmpOr(p.Zone, cs.c.Region+"-1")
	p.ContainerRuntime = cmpOr(p.ContainerRuntime, "containerd")
	if p.RootVolumeType == "" {
		p.RootVolumeType = "sbs_5k"
		if strings.HasPrefix(p.NodeType, "dev1") || strings.HasPrefix(p.NodeType, "gp1") {
			p.RootVolumeType = "l_ssd"
		}
	}
	if p.RootVolumeSizeGB == 0 {
		p.RootVolumeSizeGB = 20
	}
	if p.UpgradePolicy == (cloud.UpgradePolicy{}) {
		p.UpgradePolicy = cloud.UpgradePolicy{MaxUnavailable: 1}
	}
	if p.MaxTerminationGracePeriod == 0 {
		p.MaxTerminationGracePeriod = 15 * time.Minute
	}
	p.SecurityGroupID = cmpOr(p.SecurityGroupID, DefaultSecurityGroupID)
	if !p.Autoscaling {
		p.MinSize, p.MaxSize = p.Size, p.Size
	}
	if p.Tags == nil {
		p.Tags = []string{}
	}
	p.Status, p.ErrorMessage = "scaling", ""
	ps := &poolState{p: p}
	cs.pools = append(cs.pools, ps)
	f.startPool(ps, "scaling")
	f.addNodes(cs, ps, p.Size)
	return ps
}

// CreatePool adds a pool to a cluster that is not creating or deleting.
func (f *Fake) CreatePool(_ context.Context, region, clusterID string, p cloud.Pool) (*cloud.Pool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("CreatePool", region, p.Name, clusterID)
	if err != nil {
		return nil, err
	}
	cs, err := f.findCluster(region, clusterID)
	if err != nil {
		return nil, f.end(idx, err)
	}
	switch cs.c.Status {
	case "locked":
		return nil, f.end(idx, locked("cluster", clusterID))
	case "creating", "deleting":
		return nil, f.end(idx, transientState("cluster", clusterID, cs.c.Status))
	}
	for _, ps := range cs.pools {
		if ps.p.Name == p.Name {
			return nil, f.end(idx, invalid("name", "pool name must be unique across the cluster"))
		}
	}
	if err := f.checkNodeType(cmpOr(p.Zone, cs.c.Region+"-1"), p.NodeType, newNodes(p)); err != nil {
		return nil, f.end(idx, err)
	}
	ps := f.addPool(cs, p)
	if cs.c.Status == "pool_required" {
		f.startCluster(cs, "creating")
	}
	out := poolView(ps)
	return &out, nil
}

// findPool finds a pool of region; mutation also requires it and its cluster not to be locked.
func (f *Fake) findPool(region, id string, mutation bool) (*clusterState, *poolState, error) {
	cs, ps := f.pool(id)
	if ps == nil || cs.c.Region != region {
		return nil, nil, notFound("pool", id)
	}
	if mutation && cs.c.Status == "locked" {
		return nil, nil, locked("cluster", cs.c.ID)
	}
	if mutation && ps.p.Status == "locked" {
		return nil, nil, locked("pool", id)
	}
	return cs, ps, nil
}

// UpdatePool applies the non-nil fields of u. Only a size change moves the pool to scaling, and
// it is refused while the pool is upgrading or deleting.
func (f *Fake) UpdatePool(_ context.Context, region, id string, u cloud.PoolUpdate) (*cloud.Pool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("UpdatePool", region, id, "")
	if err != nil {
		return nil, err
	}
	cs, ps, err := f.findPool(region, id, true)
	if err != nil {
		return nil, f.end(idx, err)
	}
	p := &ps.p
	sizeChange := u.Size != nil && *u.Size != p.Size
	if sizeChange && (p.Status == "upgrading" || p.Status == "deleting") {
		return nil, f.end(idx, transientState("pool", id, p.Status))
	}
	setIf(&p.Size, u.Size)
	setIf(&p.Autoscaling, u.Autoscaling)
	setIf(&p.MinSize, u.MinSize)
	setIf(&p.MaxSize, u.MaxSize)
	setIf(&p.Autohealing, u.Autohealing)
	setSlice(&p.Tags, u.Tags)
	if u.KubeletArgs != nil {
		p.KubeletArgs = cloneMap(*u.KubeletArgs)
	}
	setIf(&p.UpgradePolicy, u.UpgradePolicy)
	setIf(&p.SecurityGroupID, u.SecurityGroupID)
	if u.MaxTerminationGracePeriod != nil {
		p.MaxTerminationGracePeriod = time.Duration(*u.MaxTerminationGracePeriod) * time.Second
	}
	if !p.Autoscaling {
		p.MinSize, p.MaxSize = p.Size, p.Size
	}
	if sizeChange {
		f.startPool(ps, "scaling")
		f.resize(cs, ps)
	}
	out := poolView(ps)
	return &out, nil
}

// SetPoolLabels replaces the pool's labels (accepted while scaling; status unchanged).
func (f *Fake) SetPoolLabels(_ context.Context, region, id string, labels map[string]string) error {
	return f.setOnPool("SetPoolLabels", region, id, func(p *cloud.Pool) { p.Labels = cloneMap(labels) })
}

// SetPoolTaints replaces the pool's taints.
func (f *Fake) SetPoolTaints(_ context.Context, region, id string, taints []cloud.Taint) error {
	return f.setOnPool("SetPoolTaints", region, id, func(p *cloud.Pool) { p.Taints = slices.Clone(taints) })
}

// SetPoolStartupTaints replaces the pool's startup taints.
func (f *Fake) SetPoolStartupTaints(_ context.Context, region, id string, taints []cloud.Taint) error {
	return f.setOnPool("SetPoolStartupTaints", region, id, func(p *cloud.Pool) { p.StartupTaints = slices.Clone(taints) })
}

func (f *Fake) setOnPool(method, region, id string, set func(*cloud.Pool)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin(method, region, id, "")
	if err != nil {
		return err
	}
	_, ps, err := f.findPool(region, id, true)
	if err != nil {
		return f.end(idx, err)
	}
	set(&ps.p)
	if ps.p.Taints == nil {
		ps.p.Taints = []cloud.Taint{}
	}
	if ps.p.StartupTaints == nil {
		ps.p.StartupTaints = []cloud.Taint{}
	}
	return nil
}

// UpgradePool moves the pool to the cluster's version, replacing its nodes.
func (f *Fake) UpgradePool(_ context.Context, region, id, version string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("UpgradePool", region, id, version)
	if err != nil {
		return err
	}
	cs, ps, err := f.findPool(region, id, true)
	if err != nil {
		return f.end(idx, err)
	}
	if ps.p.Status == "upgrading" || ps.p.Status == "deleting" {
		return f.end(idx, transientState("pool", id, ps.p.Status))
	}
	if version != cs.c.Version {
		return f.end(idx, invalid("version", fmt.Sprintf("pool version must match the cluster version %s", cs.c.Version)))
	}
	if ps.p.Version == version {
		return f.end(idx, invalid("version", fmt.Sprintf("pool is already at version %s", version)))
	}
	f.upgradePool(cs, ps, version)
	return nil
}

func (f *Fake) upgradePool(cs *clusterState, ps *poolState, version string) {
	if ps.p.Version == version {
		return
	}
	ps.p.Version = version
	f.startPool(ps, "upgrading")
	f.replaceAll(cs, ps)
}

// DeletePool starts deleting the pool (accepted while scaling or upgrading).
func (f *Fake) DeletePool(_ context.Context, region, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("DeletePool", region, id, "")
	if err != nil {
		return err
	}
	_, ps, err := f.findPool(region, id, true)
	if err != nil {
		return f.end(idx, err)
	}
	if ps.p.Status == "deleting" {
		return nil
	}
	f.startPool(ps, "deleting")
	for _, ns := range ps.nodes {
		f.removeNode(ns)
	}
	return nil
}

// ReplaceNode deletes the node and creates a new one (new ID, CreatedAt from the clock); the pool
// scales until the new node is ready.
func (f *Fake) ReplaceNode(_ context.Context, region, nodeID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx, err := f.begin("ReplaceNode", region, nodeID, "")
	if err != nil {
		return err
	}
	cs, ps, ns := f.node(nodeID)
	if ns == nil || cs.c.Region != region {
		return f.end(idx, notFound("node", nodeID))
	}
	if ns.n.Status == "deleting" {
		return f.end(idx, transientState("node", nodeID, ns.n.Status))
	}
	if cs.c.Status == "locked" || ps.p.Status == "locked" {
		return f.end(idx, locked("node", nodeID))
	}
	if ps.p.Status == "upgrading" || ps.p.Status == "deleting" {
		return f.end(idx, transientState("pool", ps.p.ID, ps.p.Status))
	}
	f.removeNode(ns)
	f.addNodes(cs, ps, 1)
	f.startPool(ps, "scaling")
	return nil
}
