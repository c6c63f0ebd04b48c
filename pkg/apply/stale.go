package apply

import (
	"context"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// checkStale compares the live state the plan was computed from (ClusterPlan.BasedOn, the plan's
// Fingerprint) with a fresh observation; any difference refuses the cluster. A plan with no basis
// names a cluster to create: if it exists now with this repository's owner tag, it is ours from an
// earlier, interrupted apply, and create-cluster adopts it; otherwise it is someone else's.
func (r *clusterRun) checkStale(ctx context.Context) error {
	basis := r.cp.BasedOn
	creates := len(r.cp.Actions) > 0 && r.cp.Actions[0].Type == plan.CreateCluster
	if basis == nil && !creates {
		return nil // nothing recorded to compare with
	}
	if basis != nil && r.id == "" {
		r.id = basis.ClusterID
	}
	now, err := r.observe(ctx)
	if err != nil {
		return err
	}
	var fresh *plan.Fingerprint
	if now != nil {
		if basis == nil && r.ours(now) {
			return nil
		}
		fresh = plan.FingerprintOf(now)
	}
	if d := basis.Diff(fresh); len(d) > 0 {
		return &StalePlanError{Cluster: r.name(), Detail: strings.Join(d, "; ")}
	}
	return nil
}
