package scaleway

import (
	"context"
	"fmt"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// CreateCluster creates c with its pools inline in ref's project and region. The result is the
// API's response (status creating); it has no pools: POST /clusters does not return them.
func (p *Provider) CreateCluster(ctx context.Context, ref cloud.Ref, c cloud.Cluster) (*cloud.Cluster, error) {
	p.warmUp()
	req, err := createClusterRequest(ref, c)
	if err != nil {
		return nil, fmt.Errorf("create cluster %q: %w", c.Name, err)
	}
	res, err := p.api.CreateCluster(req, scw.WithContext(ctx))
	if err != nil {
		return nil, p.wrap(ctx, err, "create cluster %q", c.Name)
	}
	out := fromCluster(res)
	return &out, nil
}

// UpdateCluster PATCHes the non-nil fields of u.
func (p *Provider) UpdateCluster(ctx context.Context, region, id string, u cloud.ClusterUpdate) (*cloud.Cluster, error) {
	p.warmUp()
	res, err := p.api.UpdateCluster(updateClusterRequest(region, id, u), scw.WithContext(ctx))
	if err != nil {
		return nil, p.wrap(ctx, err, "update cluster %q", id)
	}
	out := fromCluster(res)
	return &out, nil
}

// UpgradeCluster upgrades the control plane (and every pool when upgradePools is set).
func (p *Provider) UpgradeCluster(ctx context.Context, region, id, version string, upgradePools bool) error {
	p.warmUp()
	_, err := p.api.UpgradeCluster(&k8s.UpgradeClusterRequest{
		Region: scw.Region(region), ClusterID: id, Version: version, UpgradePools: upgradePools,
	}, scw.WithContext(ctx))
	return p.wrap(ctx, err, "upgrade cluster %q to %s", id, version)
}

// SetClusterType changes the cluster's type (an offer of ListClusterAvailableTypes).
func (p *Provider) SetClusterType(ctx context.Context, region, id, clusterType string) error {
	p.warmUp()
	_, err := p.api.SetClusterType(&k8s.SetClusterTypeRequest{Region: scw.Region(region), ClusterID: id, Type: clusterType},
		scw.WithContext(ctx))
	return p.wrap(ctx, err, "set type of cluster %q to %s", id, clusterType)
}

// ListClusterAvailableTypes lists the type names the cluster may move to, in the API's order.
func (p *Provider) ListClusterAvailableTypes(ctx context.Context, region, id string) ([]string, error) {
	p.warmUp()
	var res *k8s.ListClusterAvailableTypesResponse
	err := p.read(ctx, func(ctx context.Context) (err error) {
		res, err = p.api.ListClusterAvailableTypes(&k8s.ListClusterAvailableTypesRequest{Region: scw.Region(region), ClusterID: id},
			scw.WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, p.wrap(ctx, err, "list available types of cluster %q", id)
	}
	out := make([]string, 0, len(res.ClusterTypes))
	for _, t := range res.ClusterTypes {
		out = append(out, t.Name)
	}
	return out, nil
}

// DeleteCluster deletes the cluster with its pools, keeping additional resources (volumes, load
// balancers, private network).
func (p *Provider) DeleteCluster(ctx context.Context, region, id string) error {
	p.warmUp()
	_, err := p.api.DeleteCluster(&k8s.DeleteClusterRequest{Region: scw.Region(region), ClusterID: id, WithAdditionalResources: false},
		scw.WithContext(ctx))
	return p.wrap(ctx, err, "delete cluster %q", id)
}

// CreatePool adds pool to the cluster.
func (p *Provider) CreatePool(ctx context.Context, region, clusterID string, pool cloud.Pool) (*cloud.Pool, error) {
	p.warmUp()
	res, err := p.api.CreatePool(createPoolRequest(region, clusterID, pool), scw.WithContext(ctx))
	if err != nil {
		return nil, p.wrap(ctx, err, "create pool %q in cluster %q", pool.Name, clusterID)
	}
	out := fromPool(res)
	return &out, nil
}

// UpdatePool PATCHes the non-nil fields of u.
func (p *Provider) UpdatePool(ctx context.Context, region, id string, u cloud.PoolUpdate) (*cloud.Pool, error) {
	p.warmUp()
	res, err := p.api.UpdatePool(updatePoolRequest(region, id, u), scw.WithContext(ctx))
	if err != nil {
		return nil, p.wrap(ctx, err, "update pool %q", id)
	}
	out := fromPool(res)
	return &out, nil
}

// SetPoolLabels replaces the pool's labels.
func (p *Provider) SetPoolLabels(ctx context.Context, region, id string, labels map[string]string) error {
	p.warmUp()
	if labels == nil {
		labels = map[string]string{}
	}
	_, err := p.api.SetPoolLabels(&k8s.SetPoolLabelsRequest{Region: scw.Region(region), PoolID: id, Labels: labels},
		scw.WithContext(ctx))
	return p.wrap(ctx, err, "set labels of pool %q", id)
}

// SetPoolTaints replaces the pool's taints.
func (p *Provider) SetPoolTaints(ctx context.Context, region, id string, taints []cloud.Taint) error {
	p.warmUp()
	_, err := p.api.SetPoolTaints(&k8s.SetPoolTaintsRequest{Region: scw.Region(region), PoolID: id, Taints: toTaints(taints)},
		scw.WithContext(ctx))
	return p.wrap(ctx, err, "set taints of pool %q", id)
}

// SetPoolStartupTaints replaces the pool's startup taints.
func (p *Provider) SetPoolStartupTaints(ctx context.Context, region, id string, taints []cloud.Taint) error {
	p.warmUp()
	_, err := p.api.SetPoolStartupTaints(&k8s.SetPoolStartupTaintsRequest{Region: scw.Region(region), PoolID: id, StartupTaints: toTaints(taints)},
		scw.WithContext(ctx))
	return p.wrap(ctx, err, "set startup taints of pool %q", id)
}

// UpgradePool moves the pool to version (the cluster's).
func (p *Provider) UpgradePool(ctx context.Context, region, id, version string) error {
	p.warmUp()
	_, err := p.api.UpgradePool(&k8s.UpgradePoolRequest{Region: scw.Region(region), PoolID: id, Version: version},
		scw.WithContext(ctx))
	return p.wrap(ctx, err, "upgrade pool %q to %s", id, version)
}

// DeletePool deletes the pool and its nodes.
func (p *Provider) DeletePool(ctx context.Context, region, id string) error {
	p.warmUp()
	_, err := p.api.DeletePool(&k8s.DeletePoolRequest{Region: scw.Region(region), PoolID: id}, scw.WithContext(ctx))
	return p.wrap(ctx, err, "delete pool %q", id)
}

// ReplaceNode drains, deletes and recreates the node (new ID); the pool keeps its size.
func (p *Provider) ReplaceNode(ctx context.Context, region, nodeID string) error {
	p.warmUp()
	_, err := p.api.ReplaceNode(&k8s.ReplaceNodeRequest{Region: scw.Region(region), NodeID: nodeID}, scw.WithContext(ctx))
	return p.wrap(ctx, err, "replace node %q", nodeID)
}

// Kubeconfig returns the admin kubeconfig as the API serves it (YAML), for the endpoint the
// provider was built with (WithKubeconfigEndpoint).
func (p *Provider) Kubeconfig(ctx context.Context, region, clusterID string) ([]byte, error) {
	p.warmUp()
	var kc *k8s.Kubeconfig
	err := p.read(ctx, func(ctx context.Context) (err error) {
		kc, err = p.api.GetClusterKubeConfig(&k8s.GetClusterKubeConfigRequest{Region: scw.Region(region), ClusterID: clusterID,
			Endpoint: p.endpoint}, scw.WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, p.wrap(ctx, err, "kubeconfig of cluster %q", clusterID)
	}
	return kc.GetRaw(), nil
}
