package reconcile

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// MaxZonesPerPass bounds the node-type catalogs one pass reads (Scaleway has fewer zones than
// this); the zones beyond it are left unread and the plan says so.
const MaxZonesPerPass = 16

// observeZones reads the node-type catalog of every zone the repos' Scaleway pools use, once per
// zone, and stores it in the snapshot of each cluster's region and project (a Kosmos pool may be
// in another region's zone). Reading is fail-open with a visible trace: a catalog that cannot be
// read is stored with its Error (the plan warns and skips that zone's checks) and logged. It
// returns an error only when ctx is done. A zone a snapshot already holds is not read again, so
// the plans of one pass (a preview's base and head) share the reads. Plan and PlanObserved call it.
func (r *Reconciler) observeZones(ctx context.Context, snaps []*cloud.Snapshot, repos ...*spec.Repo) error {
	byRef := map[cloud.Ref]*cloud.Snapshot{}
	for _, s := range snaps {
		if s != nil {
			byRef[s.Ref] = s
		}
	}
	want := map[*cloud.Snapshot][]string{}
	var zones []string
	for _, repo := range repos {
		if repo == nil {
			continue
		}
		for _, c := range repo.Clusters {
			s := byRef[cloud.Ref{Region: c.Spec.Region, ProjectID: c.Spec.ProjectID}]
			if s == nil {
				continue
			}
			for _, p := range c.Spec.Pools {
				if p.IsExternal() {
					continue
				}
				z := cmp.Or(p.Zone, plan.DefaultZone(c.Spec.Region))
				if !slices.Contains(want[s], z) {
					want[s] = append(want[s], z)
				}
				if !slices.Contains(zones, z) {
					zones = append(zones, z)
				}
			}
		}
	}
	slices.Sort(zones)
	read := map[string]cloud.ZoneCatalog{} // what the snapshots already hold (a plan of the same pass) is not read again
	for _, s := range snaps {
		for _, zc := range s.Zones {
			read[zc.Zone] = zc
		}
	}
	for i, z := range zones {
		if _, done := read[z]; done {
			continue
		}
		if i >= MaxZonesPerPass {
			read[z] = cloud.ZoneCatalog{Zone: z, Error: fmt.Sprintf("not read: a pass reads at most %d zones' node types", MaxZonesPerPass)}
			continue
		}
		cat, err := r.Provider.ListNodeTypes(ctx, z)
		if ctx.Err() != nil {
			return fmt.Errorf("node types of %s: %w", z, ctx.Err())
		}
		if err != nil {
			if r.Log != nil {
				r.Log.Warn("node-type catalog not read: the plan skips its checks in this zone", "zone", z, "err", err)
			}
			read[z] = cloud.ZoneCatalog{Zone: z, Error: err.Error()}
			continue
		}
		read[z] = *cat
	}
	for s, zs := range want {
		for _, zc := range s.Zones {
			if !slices.Contains(zs, zc.Zone) {
				zs = append(zs, zc.Zone)
			}
		}
		slices.Sort(zs)
		s.Zones = make([]cloud.ZoneCatalog, 0, len(zs))
		for _, z := range zs {
			s.Zones = append(s.Zones, read[z])
		}
	}
	return nil
}
