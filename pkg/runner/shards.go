package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// Sharding limits the loop to the clusters of the shards this process holds (run --shards): a
// static assignment or shard leases. Held must be cheap and safe to call from any goroutine;
// a shard is held only while this process may write to its clusters.
type Sharding interface {
	Shards() shard.Set
}

// StaticShards is a fixed assignment: this process holds Held of Count, always.
type StaticShards shard.Set

// Shards returns the assignment.
func (s StaticShards) Shards() shard.Set { return shard.Set(s) }

// holdingMessage says which shards this process holds: "holding shards 0,2/3", or
// "holding no shard of 3" for a standby replica.
func holdingMessage(s shard.Set) string {
	if len(s.Held) == 0 {
		return fmt.Sprintf("holding no shard of %d", s.Count)
	}
	return "holding shards " + s.String()
}

// ErrLeadershipLost is the cause of a pass's context cancelled because this process stopped
// leading, or gave up a shard the pass works on, while the pass ran.
var ErrLeadershipLost = errors.New("leadership lost during the pass")

// DefaultLeaseCheck is how often a pass that may mutate checks that it still may.
const DefaultLeaseCheck = 100 * time.Millisecond

// held is the tick's shard set: nil without sharding.
func (r *Runner) held() *shard.Set {
	if r.Shards == nil {
		return nil
	}
	s := r.Shards.Shards()
	return &s
}

// mayWrite reports whether this process still leads and still holds every shard of set.
func (r *Runner) mayWrite(set *shard.Set) bool {
	if !r.leading() {
		return false
	}
	if set == nil {
		return true
	}
	now := r.Shards.Shards()
	for _, k := range set.Held {
		if !slices.Contains(now.Held, k) {
			return false
		}
	}
	return true
}

// guard returns ctx cancelled, with cause ErrLeadershipLost, as soon as mayWrite(set) turns
// false (checked every LeaseCheck): a lease that ends mid-pass stops the pass before its next
// mutation, and the loop commits nothing from it. stop must be called when the pass is over.
func (r *Runner) guard(ctx context.Context, set *shard.Set) (context.Context, func()) {
	if r.Leader == nil && set == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	every := r.LeaseCheck
	if every <= 0 {
		every = DefaultLeaseCheck
	}
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := r.clock().NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C():
				if !r.mayWrite(set) {
					cancel(ErrLeadershipLost)
					return
				}
			}
		}
	}()
	return ctx, func() { close(done); <-exited; cancel(nil) }
}

// ownedRepo is repo limited to the clusters of set (repo itself without sharding).
func ownedRepo(repo *spec.Repo, set *shard.Set) *spec.Repo {
	if set == nil || repo == nil {
		return repo
	}
	out := *repo
	out.Clusters = nil
	for _, c := range repo.Clusters {
		if set.Owns(shard.Key(c.Spec.Region, c.Metadata.Name)) {
			out.Clusters = append(out.Clusters, c)
		}
	}
	return &out
}

// ownedApplied is the deletion record limited to the clusters of set.
func ownedApplied(applied map[string]plan.Applied, set *shard.Set) map[string]plan.Applied {
	if set == nil {
		return applied
	}
	out := make(map[string]plan.Applied, len(applied))
	for key, a := range applied {
		if region, _, name, ok := plan.SplitKey(key); ok && set.Owns(shard.Key(region, name)) {
			out[key] = a
		}
	}
	return out
}

// ownedStatuses are the previous statuses of the clusters of set; the repository status only
// for the holder of shard 0, the one that writes it.
func ownedStatuses(prev map[string]*status.ClusterStatus, set *shard.Set) map[string]*status.ClusterStatus {
	if set == nil {
		return prev
	}
	out := map[string]*status.ClusterStatus{}
	for name, s := range prev {
		if writesRepositoryStatus(name, set) || (name != RepositoryStatusName && set.Owns(shard.Key(s.Region, name))) {
			out[name] = s
		}
	}
	return out
}

// writesRepositoryStatus: status/_repository.yaml (validation errors before any cluster is known,
// orphans) is written by the holder of shard 0 only, so shards never overwrite each other's.
// It lists the orphans of every shard (otherShardOrphans), those of other shards as theirs.
func writesRepositoryStatus(name string, set *shard.Set) bool {
	return name == RepositoryStatusName && (set == nil || slices.Contains(set.Held, 0))
}

// keepShards is the reconcile filter of set: the other shards' clusters are not part of this
// process's plan (not read beyond the cluster list, no update, no deletion, no orphan report).
// A filter, not a wrapped provider: the provider's optional interfaces (ACLs, scoped
// observation) stay visible to the pass.
func keepShards(set shard.Set) func(region, name string) bool {
	return func(region, name string) bool { return set.Owns(shard.Key(region, name)) }
}

// shardNote is " (shards 0,2/3)" with sharding, for the plan line.
func shardNote(set *shard.Set) string {
	if set == nil {
		return ""
	}
	return " (shards " + set.String() + ")"
}

// otherShardOrphans are the orphans of the shards this replica does not hold, from the clusters
// its observation listed but left out (cloud.Snapshot.Others): carrying this repository's owner
// tag, named by no spec of the revision (any shard's) and by no status file. Their replicas plan
// them (deletion rule included); here they are only named, in status/_repository.yaml.
func (r *Runner) otherShardOrphans(snaps []*cloud.Snapshot) []status.Orphan {
	set, good := r.state.set, r.state.good
	if set == nil || good == nil || good.repo == nil {
		return nil
	}
	owner, err := reconcile.OwnerOf(good.repo, r.owner())
	if err != nil || owner == "" {
		return nil
	}
	named := map[string]bool{}
	for _, c := range good.repo.Clusters {
		named[plan.Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name)] = true
	}
	for key := range status.Recorded(r.state.statuses) {
		named[key] = true
	}
	var out []status.Orphan
	for _, s := range snaps {
		for i := range s.Others {
			c := &s.Others[i]
			region := cmp.Or(c.Region, s.Ref.Region)
			if c.Status == "deleting" || !c.OwnedBy(owner) || named[plan.Key(region, s.Ref.ProjectID, c.Name)] {
				continue
			}
			k := shard.Of(shard.Key(region, c.Name), set.Count)
			out = append(out, status.Orphan{Name: c.Name, Region: region, ProjectID: s.Ref.ProjectID, ID: c.ID, Action: "other-shard",
				Message: fmt.Sprintf("shard %d of %d: the replica holding it reports and decides what happens to it", k, set.Count)})
		}
	}
	slices.SortFunc(out, func(a, b status.Orphan) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name))
	})
	return out
}
