package scaleway

import (
	"context"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Observe lists the clusters of ref (all pages), then per cluster its pools and its nodes (one
// list each, all pages), then the region's catalog once.
func (p *Provider) Observe(ctx context.Context, ref cloud.Ref) (*cloud.Snapshot, error) {
	p.warmUp()
	region := scw.Region(ref.Region)
	list, err := p.api.ListClusters(&k8s.ListClustersRequest{Region: region, ProjectID: ptrIf(ref.ProjectID)},
		scw.WithAllPages(), scw.WithContext(ctx))
	if err != nil {
		return nil, p.wrap(ctx, err, "list clusters in %s", ref.Region)
	}
	snap := &cloud.Snapshot{Ref: ref, Clusters: make([]cloud.Cluster, 0, len(list.Clusters)), Versions: []cloud.Version{}}
	for _, c := range list.Clusters {
		// A filter the API ignored must not leak another project's clusters into the snapshot.
		if ref.ProjectID != "" && c.ProjectID != ref.ProjectID {
			continue
		}
		full, err := p.children(ctx, c)
		if cloud.IsNotFound(err) {
			continue // deleted between the list and now: it is not part of the live state
		}
		if err != nil {
			return nil, err
		}
		snap.Clusters = append(snap.Clusters, full)
	}
	versions, err := p.api.ListVersions(&k8s.ListVersionsRequest{Region: region}, scw.WithContext(ctx))
	if err != nil {
		return nil, p.wrap(ctx, err, "list versions in %s", ref.Region)
	}
	for _, v := range versions.Versions {
		snap.Versions = append(snap.Versions, fromVersion(v))
	}
	return snap, nil
}

// GetCluster returns one cluster with its pools and nodes (three requests).
func (p *Provider) GetCluster(ctx context.Context, region, id string) (*cloud.Cluster, error) {
	p.warmUp()
	c, err := p.api.GetCluster(&k8s.GetClusterRequest{Region: scw.Region(region), ClusterID: id}, scw.WithContext(ctx))
	if err != nil {
		return nil, p.wrap(ctx, err, "get cluster %q", id)
	}
	full, err := p.children(ctx, c)
	if err != nil {
		return nil, err
	}
	return &full, nil
}

// children lists the pools and the nodes of c: the nodes of the whole cluster in one list,
// assigned to pools by pool_id.
func (p *Provider) children(ctx context.Context, c *k8s.Cluster) (cloud.Cluster, error) {
	pools, err := p.api.ListPools(&k8s.ListPoolsRequest{Region: c.Region, ClusterID: c.ID},
		scw.WithAllPages(), scw.WithContext(ctx))
	if err != nil {
		return cloud.Cluster{}, p.wrap(ctx, err, "list pools of cluster %q", c.ID)
	}
	nodes, err := p.api.ListNodes(&k8s.ListNodesRequest{Region: c.Region, ClusterID: c.ID},
		scw.WithAllPages(), scw.WithContext(ctx))
	if err != nil {
		return cloud.Cluster{}, p.wrap(ctx, err, "list nodes of cluster %q", c.ID)
	}
	return assemble(c, pools.Pools, nodes.Nodes), nil
}
