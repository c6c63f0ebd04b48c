package scaleway

import (
	"context"
	"math"

	"golang.org/x/sync/errgroup"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Observe lists the clusters of ref (all pages), then per cluster its pools and its nodes (one
// list each, all pages; several clusters at once, WithObserveConcurrency), then the region's
// catalog once.
func (p *Provider) Observe(ctx context.Context, ref cloud.Ref) (*cloud.Snapshot, error) {
	return p.ObserveScoped(ctx, ref, nil)
}

// ObserveScoped is Observe reading pools, nodes and version facts only for the clusters keep
// accepts (nil: all), and returning only those (cloud.ScopedObserver).
func (p *Provider) ObserveScoped(ctx context.Context, ref cloud.Ref, keep func(region, name string) bool) (*cloud.Snapshot, error) {
	p.warmUp()
	region := scw.Region(ref.Region)
	clusters, err := allPages(ctx, p, func(ctx context.Context, page int32) ([]*k8s.Cluster, uint64, error) {
		res, err := p.api.ListClusters(&k8s.ListClustersRequest{Region: region, ProjectID: ptrIf(ref.ProjectID), Page: &page},
			scw.WithContext(ctx))
		if err != nil {
			return nil, 0, err
		}
		return res.Clusters, res.TotalCount, nil
	})
	if err != nil {
		return nil, p.wrap(ctx, err, "list clusters in %s", ref.Region)
	}
	snap := &cloud.Snapshot{Ref: ref, Clusters: make([]cloud.Cluster, 0, len(clusters)), Versions: []cloud.Version{}}
	var wanted []*k8s.Cluster
	for _, c := range clusters {
		// A filter the API ignored must not leak another project's clusters into the snapshot.
		if ref.ProjectID != "" && c.ProjectID != ref.ProjectID {
			continue
		}
		if keep != nil && !keep(regionOr(string(c.Region), ref.Region), c.Name) {
			snap.Others = append(snap.Others, fromCluster(c))
			continue
		}
		wanted = append(wanted, c)
	}
	// Pools and nodes of several clusters at once (bounded); the snapshot keeps the list's order.
	full := make([]*cloud.Cluster, len(wanted))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.observeConcurrency)
	for i, c := range wanted {
		g.Go(func() error {
			fc, err := p.children(gctx, c)
			if cloud.IsNotFound(err) {
				return nil // deleted between the list and now: it is not part of the live state
			}
			if err != nil {
				return err
			}
			full[i] = &fc
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, fc := range full {
		if fc != nil {
			snap.Clusters = append(snap.Clusters, *fc)
		}
	}
	var versions *k8s.ListVersionsResponse
	err = p.read(ctx, func(ctx context.Context) (err error) {
		versions, err = p.api.ListVersions(&k8s.ListVersionsRequest{Region: region}, scw.WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, p.wrap(ctx, err, "list versions in %s", ref.Region)
	}
	for _, v := range versions.Versions {
		snap.Versions = append(snap.Versions, fromVersion(v))
	}
	if err := p.versionFacts(ctx, snap); err != nil {
		return nil, err
	}
	return snap, nil
}

// GetCluster returns one cluster with its pools and nodes (three requests).
func (p *Provider) GetCluster(ctx context.Context, region, id string) (*cloud.Cluster, error) {
	p.warmUp()
	var c *k8s.Cluster
	err := p.read(ctx, func(ctx context.Context) (err error) {
		c, err = p.api.GetCluster(&k8s.GetClusterRequest{Region: scw.Region(region), ClusterID: id}, scw.WithContext(ctx))
		return err
	})
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
	pools, err := allPages(ctx, p, func(ctx context.Context, page int32) ([]*k8s.Pool, uint64, error) {
		res, err := p.api.ListPools(&k8s.ListPoolsRequest{Region: c.Region, ClusterID: c.ID, Page: &page}, scw.WithContext(ctx))
		if err != nil {
			return nil, 0, err
		}
		return res.Pools, res.TotalCount, nil
	})
	if err != nil {
		return cloud.Cluster{}, p.wrap(ctx, err, "list pools of cluster %q", c.ID)
	}
	nodes, err := allPages(ctx, p, func(ctx context.Context, page int32) ([]*k8s.Node, uint64, error) {
		res, err := p.api.ListNodes(&k8s.ListNodesRequest{Region: c.Region, ClusterID: c.ID, Page: &page}, scw.WithContext(ctx))
		if err != nil {
			return nil, 0, err
		}
		return res.Nodes, res.TotalCount, nil
	})
	if err != nil {
		return cloud.Cluster{}, p.wrap(ctx, err, "list nodes of cluster %q", c.ID)
	}
	return assemble(c, pools, nodes), nil
}

// allPages fetches every page of a list the way the SDK's WithAllPages does (page 1, then as many
// as the first page's size and total_count imply, stopping at an empty page), but retries each
// page on its own: under rate limiting a 10-page list would rarely succeed whole.
func allPages[T any](ctx context.Context, p *Provider, fetch func(ctx context.Context, page int32) ([]T, uint64, error)) ([]T, error) {
	var all []T
	pageCount := uint64(math.MaxUint32)
	for page := uint64(1); page <= pageCount; page++ {
		var items []T
		var total uint64
		err := p.read(ctx, func(ctx context.Context) (err error) {
			items, total, err = fetch(ctx, int32(page))
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			break
		}
		all = append(all, items...)
		if page == 1 {
			pageCount = (total + uint64(len(items)) - 1) / uint64(len(items))
		}
	}
	return all, nil
}

// regionOr is region, or fallback when the API left it empty.
func regionOr(region, fallback string) string {
	if region == "" {
		return fallback
	}
	return region
}
