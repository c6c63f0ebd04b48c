package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// zoneDemand is how many more Instances a cluster's actions need in one zone: lasting ones (new
// clusters' and new pools' nodes, size increases) and the largest passing one (a replacement
// pool beside the pool it replaces, an upgrade's surge nodes). A cluster's actions run one
// after the other, so its peak is lasting + the largest passing need.
type zoneDemand struct {
	lasting, passing int
	why              []string // what adds the nodes, for the message
	passingWhy       string
}

func (d *zoneDemand) last(n int, why string) {
	if n > 0 {
		d.lasting += n
		d.why = append(d.why, fmt.Sprintf("+%d %s", n, why))
	}
}

func (d *zoneDemand) pass(n int, why string) {
	if n > d.passing {
		d.passing, d.passingWhy = n, fmt.Sprintf("+%d %s", n, why)
	}
}

func (d *zoneDemand) peak() int { return d.lasting + d.passing }

// checkQuotas compares, in every zone whose Instance quota the snapshots carry, the peak of extra
// nodes the plan's actions need with what the quota leaves. Clusters run in parallel, so their
// peaks add up. Deferred actions do not count; deletions are not counted as freeing room (they
// may run after the peak). Zones without a known quota are not checked.
func checkQuotas(p *Plan, snaps map[cloud.Ref]*indexed) []error {
	// A zone read for several scopes has one quota; should the readings differ, the one leaving
	// the least room counts (whatever the map order).
	quotas := map[string]*cloud.Quota{}
	for _, ix := range snaps {
		for _, z := range ix.snap.Zones {
			if q := quotas[z.Zone]; z.Quota != nil && (q == nil || z.Quota.Limit-z.Quota.Used < q.Limit-q.Used) {
				quotas[z.Zone] = z.Quota
			}
		}
	}
	if len(quotas) == 0 {
		return nil
	}
	need := map[string]int{}
	parts := map[string][]string{}
	for _, cp := range p.Clusters {
		var live *cloud.Cluster
		if ix := snaps[cloud.Ref{Region: cp.Region, ProjectID: cp.ProjectID}]; ix != nil && cp.ID != "" {
			for i := range ix.snap.Clusters {
				if ix.snap.Clusters[i].ID == cp.ID {
					live = &ix.snap.Clusters[i]
				}
			}
		}
		for zone, d := range clusterDemand(cp, live) {
			if d.peak() == 0 {
				continue
			}
			need[zone] += d.peak()
			why := d.why
			if d.passingWhy != "" {
				why = append(why, d.passingWhy)
			}
			parts[zone] = append(parts[zone], fmt.Sprintf("%s: %s", cp.Name, strings.Join(why, ", ")))
		}
	}
	var errs []error
	for _, zone := range slices.Sorted(maps.Keys(need)) {
		q := quotas[zone]
		if q == nil {
			continue
		}
		if left := q.Limit - q.Used; need[zone] > left {
			errs = append(errs, fmt.Errorf("zone %s: this plan needs up to %d more Instances at its peak but the quota leaves %d (limit %d, %d in use): %s; raise the quota or spread the change over several revisions",
				zone, need[zone], max(left, 0), q.Limit, q.Used, strings.Join(parts[zone], "; ")))
		}
	}
	return errs
}

// clusterDemand is the extra Instances of one cluster's actions, per zone.
func clusterDemand(cp ClusterPlan, live *cloud.Cluster) map[string]*zoneDemand {
	out := map[string]*zoneDemand{}
	of := func(zone string) *zoneDemand {
		if out[zone] == nil {
			out[zone] = &zoneDemand{}
		}
		return out[zone]
	}
	livePool := func(name string) *cloud.Pool {
		if live == nil {
			return nil
		}
		return poolByName(live, name)
	}
	for _, a := range cp.Actions {
		pl := a.Payload
		switch a.Type {
		case CreateCluster:
			if pl.Cluster != nil {
				for _, np := range pl.Cluster.Pools {
					if !isExternalPool(np) {
						of(np.Zone).last(np.Size, "new pool "+np.Name)
					}
				}
			}
		case CreatePool:
			if np := pl.NewPool; np != nil && !isExternalPool(*np) {
				of(np.Zone).last(np.Size, "new pool "+np.Name)
			}
		case UpdatePool:
			lp := livePool(pl.Pool)
			if lp == nil || pl.PoolPatch == nil {
				continue
			}
			u := pl.PoolPatch.Update
			grow := 0
			if u.Size != nil {
				grow = *u.Size - lp.Size
			}
			if u.MinSize != nil {
				grow = max(grow, *u.MinSize-lp.Size)
			}
			of(lp.Zone).last(grow, "pool "+lp.Name+" grows")
		case ReplacePool:
			if np := pl.NewPool; np != nil && np.ID == "" && !isExternalPool(*np) {
				of(np.Zone).pass(np.Size, "while "+np.Name+" replaces "+pl.Pool+" (both pools exist)")
			}
		case UpgradePool:
			if lp := livePool(pl.Pool); lp != nil {
				surge := min(lp.UpgradePolicy.MaxSurge, lp.Size)
				of(lp.Zone).pass(surge, "surge nodes while pool "+lp.Name+" upgrades (maxSurge)")
			}
		}
	}
	return out
}

func isExternalPool(p cloud.Pool) bool { return p.NodeType == spec.NodeTypeExternal }
