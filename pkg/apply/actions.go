package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// NodeRotator executes rotate-node actions (cordon, drain, replace, wait): the rotation executor
// implements it. Without one, rotate-node actions are reported skipped with the reason.
type NodeRotator interface {
	RotateNode(ctx context.Context, req RotateRequest) error
}

// RotateRequest is one rotate-node action with the fresh state it applies to.
type RotateRequest struct {
	Region  string
	Cluster *cloud.Cluster // fresh observation, with pools and nodes
	Pool    string
	Node    string // node name (or ID, when the plan names it by ID)
	Action  plan.Action
}

// dispatch maps an action type to its idempotent step(s). The switch is exhaustive: an unknown
// type fails the action.
func (r *clusterRun) dispatch(ctx context.Context, a plan.Action) (Outcome, string, error) {
	switch a.Type {
	case plan.CreateCluster:
		return r.run(ctx, a, r.createCluster(a))
	case plan.UpdateCluster:
		return r.run(ctx, a, r.updateCluster(a))
	case plan.SetClusterType:
		return r.run(ctx, a, r.setClusterType(a))
	case plan.SetClusterACL:
		return r.run(ctx, a, r.setClusterACL(a))
	case plan.UpgradeCluster:
		return r.run(ctx, a, r.upgradeCluster(a))
	case plan.DeleteCluster:
		return r.run(ctx, a, r.deleteCluster(a))
	case plan.CreatePool:
		return r.run(ctx, a, r.createPool(a.Payload.NewPool))
	case plan.UpdatePool:
		return r.run(ctx, a, r.updatePool(a))
	case plan.UpgradePool:
		return r.run(ctx, a, r.upgradePool(a))
	case plan.ReplacePool:
		return r.replacePool(ctx, a)
	case plan.DeletePool:
		return r.run(ctx, a, r.deletePool(a.Payload.Pool))
	case plan.RotateNode:
		return r.rotateNode(ctx, a)
	default:
		return Failed, "", fmt.Errorf("unknown action type %q", a.Type)
	}
}

func (r *clusterRun) name() string { return r.cp.Name }

func errAbsent(name string) error { return &cloud.NotFoundError{Resource: "cluster", ID: name} }

func (r *clusterRun) createCluster(a plan.Action) step {
	return step{
		what: "cluster " + r.name() + " to be ready",
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", nil
			}
			if !r.ours(c) {
				return false, "", &cloud.TerminalError{Reason: "precondition_failed",
					Err: fmt.Errorf("cluster %q (%s) exists and lacks this repository's ownership tags: not adopting it", c.Name, c.ID)}
			}
			r.id = c.ID
			return true, "already-exists", nil
		},
		mutate: func(ctx context.Context, _ *cloud.Cluster) error {
			if a.Payload.Cluster == nil {
				return fmt.Errorf("action %s carries no cluster to create", a.ID)
			}
			got, err := r.e.Provider.CreateCluster(ctx, r.ref, *a.Payload.Cluster)
			if err != nil {
				return err // the provider says "create cluster <name>: …" (said twice otherwise)
			}
			r.id = got.ID
			return nil
		},
		ready:   clusterConverged(r.name()),
		creates: true,
	}
}

func (r *clusterRun) updateCluster(a plan.Action) step {
	return step{
		what: "cluster " + r.name() + " to be ready",
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", errAbsent(r.name())
			}
			u, err := pendingClusterUpdate(a, c)
			return err == nil && clusterUpdateEmpty(u), "already-up-to-date", err
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			u, err := pendingClusterUpdate(a, c)
			if err != nil {
				return err
			}
			if _, err := r.e.Provider.UpdateCluster(ctx, r.ref.Region, c.ID, u); err != nil {
				return fmt.Errorf("update cluster %q: %w", r.name(), err)
			}
			return nil
		},
		ready: clusterReady(r.name(), nil),
	}
}

func (r *clusterRun) setClusterType(a plan.Action) step {
	want := a.Payload.Type
	return step{
		what: fmt.Sprintf("cluster %s to be ready as %s", r.name(), want),
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", errAbsent(r.name())
			}
			return c.Type == want, "already-of-type", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			if err := r.e.Provider.SetClusterType(ctx, r.ref.Region, c.ID, want); err != nil {
				return fmt.Errorf("set type of cluster %q to %s: %w", r.name(), want, err)
			}
			return nil
		},
		ready: clusterReady(r.name(), func(c *cloud.Cluster) bool { return c.Type == want }),
	}
}

func (r *clusterRun) upgradeCluster(a plan.Action) step {
	v := a.Payload.Version
	return step{
		what: fmt.Sprintf("cluster %s to be ready at %s", r.name(), v),
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", errAbsent(r.name())
			}
			if v == "" {
				return false, "", fmt.Errorf("action %s names no version", a.ID)
			}
			return atVersion(c.Version, v), "already-at-version", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			// upgrade_pools=false: the plan has its own upgrade-pool actions after each hop.
			if err := r.e.Provider.UpgradeCluster(ctx, r.ref.Region, c.ID, v, false); err != nil {
				return fmt.Errorf("upgrade cluster %q to %s: %w", r.name(), v, err)
			}
			return nil
		},
		ready: clusterReady(r.name(), func(c *cloud.Cluster) bool { return atVersion(c.Version, v) }),
	}
}

// deletable checks, on a fresh observation, the live evidence a delete-cluster was planned on:
// the same cluster id, this repository's owner tag, and the deletion-protection=false tag.
func deletable(c *cloud.Cluster, a plan.Action) error {
	ev := a.Payload.Delete
	switch {
	case ev == nil:
		return fmt.Errorf("action %s carries no deletion evidence", a.ID)
	case c.ID != ev.ClusterID:
		return fmt.Errorf("its id is %s, the plan deletes %s", c.ID, ev.ClusterID)
	case !c.OwnedBy(ev.Owner):
		return fmt.Errorf("it does not carry exactly the tags %s and %s", cloud.ManagedByTag, cloud.OwnerTag(ev.Owner))
	case !c.Unprotected():
		return fmt.Errorf("it is not tagged %s", cloud.ProtectionTag(false))
	}
	return nil
}

func (r *clusterRun) deleteCluster(a plan.Action) step {
	return step{
		what: "cluster " + r.name() + " to be deleted",
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return true, "already-gone", nil
			}
			// The plan checked the deletion rule; deletion is where a second look is cheapest.
			if err := deletable(c, a); err != nil {
				return false, "", &cloud.TerminalError{Reason: "precondition_failed", Err: fmt.Errorf("cluster %q: %w: not deleting it", r.name(), err)}
			}
			return false, "", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			if err := r.e.Provider.DeleteCluster(ctx, r.ref.Region, c.ID); err != nil && !cloud.IsNotFound(err) {
				return fmt.Errorf("delete cluster %q: %w", r.name(), err)
			}
			return nil
		},
		ready: clusterGone,
	}
}

// rotatedPool is the pool a rotate-node action replaces a node of ("" for other actions).
func rotatedPool(a plan.Action) string {
	if a.Payload.Rotate == nil {
		return ""
	}
	return a.Payload.Rotate.Pool
}

func (r *clusterRun) rotateNode(ctx context.Context, a plan.Action) (Outcome, string, error) {
	if r.e.Rotator == nil {
		return Skipped, "no node rotator configured: rotate-node is run by `reconciler rotate`", nil
	}
	c, err := r.observe(ctx)
	if err != nil {
		return Failed, "", err
	}
	if c == nil {
		return Failed, "", errAbsent(r.name())
	}
	rot := a.Payload.Rotate
	if rot == nil {
		return Failed, "", fmt.Errorf("action %s carries no node to rotate", a.ID)
	}
	req := RotateRequest{Region: r.ref.Region, Cluster: c, Pool: rot.Pool, Node: rot.Node, Action: a}
	if err := r.e.Rotator.RotateNode(ctx, req); err != nil {
		var skip *RotationSkippedError
		if errors.As(err, &skip) {
			return Skipped, skip.Reason, nil
		}
		return Failed, "", fmt.Errorf("rotate node %s: %w", req.Node, err)
	}
	return Done, "", nil
}
