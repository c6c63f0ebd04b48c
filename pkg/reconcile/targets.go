package reconcile

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// MaxTargetReads bounds the available-versions requests in flight at once.
const MaxTargetReads = 4

// TargetLister is the provider capability observeTargets uses (the Scaleway adapter has it:
// ListClusterAvailableVersions).
type TargetLister interface {
	AvailableVersions(ctx context.Context, region, id string) ([]string, error)
}

// observeTargets asks the provider which versions each live cluster may be upgraded to, for
// the clusters the plan would upgrade (plan.NeedsTargets: judged from the region's version list;
// a cluster in sync costs no request), and stores them in cloud.Cluster.AvailableVersions. A
// cluster already asked in this pass (its field or its AvailableVersionsError set: a preview
// plans base and head against the same snapshots) is not asked again. A failed read is stored as
// AvailableVersionsError and logged: the plan warns and takes the region list's targets.
func (r *Reconciler) observeTargets(ctx context.Context, repo *spec.Repo, snaps []*cloud.Snapshot, now time.Time) {
	tl, ok := r.Provider.(TargetLister)
	if !ok || repo == nil {
		return
	}
	var ask []*cloud.Cluster
	for _, c := range repo.Clusters {
		for _, s := range snaps {
			if s == nil || s.Ref.Region != c.Spec.Region || s.Ref.ProjectID != c.Spec.ProjectID {
				continue
			}
			for i := range s.Clusters {
				l := &s.Clusters[i]
				if l.Name != c.Metadata.Name || l.Status == "deleting" || l.AvailableVersions != nil || l.AvailableVersionsError != "" {
					continue
				}
				if !slices.Contains(ask, l) && plan.NeedsTargets(c, l, s.Versions, now) {
					ask = append(ask, l)
				}
			}
		}
	}
	slots := make(chan struct{}, MaxTargetReads)
	var wg sync.WaitGroup
	for _, l := range ask {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			vs, err := tl.AvailableVersions(ctx, l.Region, l.ID)
			if err != nil {
				l.AvailableVersionsError = err.Error()
				if r.Log != nil {
					r.Log.Warn("available versions not read: the plan takes upgrade targets from the region's version list", "cluster", l.Name, "region", l.Region, "err", err)
				}
				return
			}
			if vs == nil {
				vs = []string{}
			}
			l.AvailableVersions = vs
		}()
	}
	wg.Wait()
}
