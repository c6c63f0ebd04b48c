package apply

import (
	"context"
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// setClusterACL replaces the cluster's API server access list (set-cluster-acl). Setting the
// whole list is idempotent, so a retry after a lost answer sends the same list again.
func (r *clusterRun) setClusterACL(a plan.Action) step {
	return step{
		what: fmt.Sprintf("cluster %s to be ready with its access list", r.name()),
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", errAbsent(r.name())
			}
			return false, "", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			acl, ok := r.e.Provider.(cloud.ACLs)
			if !ok {
				return &cloud.TerminalError{Reason: "precondition_failed", Err: fmt.Errorf("set the access list of cluster %q: the provider has no ACL support", r.name())}
			}
			if err := acl.SetClusterACLRules(ctx, r.ref.Region, c.ID, a.Payload.ACL); err != nil {
				return fmt.Errorf("set the access list of cluster %q: %w", r.name(), err)
			}
			return nil
		},
		ready: clusterReady(r.name(), nil),
	}
}
