package reconcile

import (
	"context"
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// observeACLs reads the access list of every live cluster whose spec declares spec.acl (one
// request each; Observe reads none), so the plan can compare them. A provider without ACL
// support leaves them unobserved: the plan then proposes nothing for them.
func (r *Reconciler) observeACLs(ctx context.Context, repo *spec.Repo, snaps []*cloud.Snapshot) error {
	acls, ok := r.Provider.(cloud.ACLs)
	if !ok {
		return nil
	}
	for _, c := range repo.Clusters {
		if c.Spec.ACL == nil {
			continue
		}
		for _, s := range snaps {
			if s.Ref.Region != c.Spec.Region || s.Ref.ProjectID != c.Spec.ProjectID {
				continue
			}
			for i := range s.Clusters {
				l := &s.Clusters[i]
				if l.Name != c.Metadata.Name || l.Status == "deleting" || l.ACL != nil {
					continue
				}
				rules, err := acls.ClusterACLRules(ctx, l.Region, l.ID)
				if cloud.IsNotFound(err) {
					continue // deleted meanwhile
				}
				if err != nil {
					return fmt.Errorf("observe %s/%s: %w", s.Ref.Region, s.Ref.ProjectID, err)
				}
				l.ACL = rules
			}
		}
	}
	return nil
}
