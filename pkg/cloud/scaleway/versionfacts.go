package scaleway

import (
	"context"
	"strings"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// versionFacts completes snap's clusters with what the region's version list cannot say, with
// the fewest calls: GetVersion of a live version whose minor the list no longer has (once per
// version: its dates after a minor left the list). A cluster's available versions cost one call
// per cluster: AvailableVersions asks for them where a decision needs them.
func (p *Provider) versionFacts(ctx context.Context, snap *cloud.Snapshot) error {
	listed := map[string]*cloud.Version{}
	for i := range snap.Versions {
		listed[minorOf(snap.Versions[i].Name)] = &snap.Versions[i]
	}
	asked := map[string]*cloud.Version{}
	for i := range snap.Clusters {
		c := &snap.Clusters[i]
		if c.Version == "" {
			continue
		}
		if v, ok := listed[minorOf(c.Version)]; ok {
			cp := *v
			c.LiveVersion = &cp
		} else {
			v, seen := asked[c.Version]
			if !seen {
				var got *k8s.Version
				err := p.read(ctx, func(ctx context.Context) (err error) {
					got, err = p.api.GetVersion(&k8s.GetVersionRequest{Region: scw.Region(c.Region), VersionName: c.Version}, scw.WithContext(ctx))
					return err
				})
				if err != nil {
					// A version the API no longer knows at all: no facts, not a failed observation.
					if werr := p.wrap(ctx, err, "get version %s", c.Version); !cloud.IsNotFound(werr) {
						return werr
					}
				} else {
					fv := fromVersion(got)
					v = &fv
				}
				asked[c.Version] = v
			}
			c.LiveVersion = v
		}
	}
	return nil
}

// minorOf is "1.35" of "1.35.3".
func minorOf(v string) string {
	if i := strings.LastIndexByte(v, '.'); i > 0 && strings.Count(v, ".") == 2 {
		return v[:i]
	}
	return v
}

// AvailableVersions lists the exact versions cluster id may be upgraded to
// (ListClusterAvailableVersions).
func (p *Provider) AvailableVersions(ctx context.Context, region, id string) ([]string, error) {
	var res *k8s.ListClusterAvailableVersionsResponse
	err := p.read(ctx, func(ctx context.Context) (err error) {
		res, err = p.api.ListClusterAvailableVersions(&k8s.ListClusterAvailableVersionsRequest{Region: scw.Region(region), ClusterID: id}, scw.WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, p.wrap(ctx, err, "list available versions of cluster %q", id)
	}
	out := []string{}
	for _, v := range res.Versions {
		out = append(out, v.Name)
	}
	return out, nil
}
