package apply

import (
	"context"
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// createPool creates p (create-pool's pool, or replace-pool's new one).
func (r *clusterRun) createPool(p *cloud.Pool) step {
	as := ""
	if p != nil {
		as = p.Name
	}
	return step{
		what: fmt.Sprintf("pool %s/%s to be ready", r.name(), as),
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", errAbsent(r.name())
			}
			if findPool(c, as) != nil {
				return true, "already-exists", nil
			}
			return false, "", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			if p == nil {
				return fmt.Errorf("no pool to create for cluster %q", r.name())
			}
			want := *p
			want.ID = ""
			if _, err := r.e.Provider.CreatePool(ctx, r.ref.Region, c.ID, want); err != nil {
				return fmt.Errorf("create pool %q: %w", as, err)
			}
			return nil
		},
		ready:   poolReady(r.name(), as, false, nil),
		creates: true,
	}
}

func (r *clusterRun) updatePool(a plan.Action) step {
	name := a.Payload.Pool
	pending := func(c *cloud.Cluster) (*cloud.Pool, plan.PoolPatch, error) {
		if c == nil {
			return nil, plan.PoolPatch{}, errAbsent(r.name())
		}
		live := findPool(c, name)
		if live == nil {
			return nil, plan.PoolPatch{}, &cloud.NotFoundError{Resource: "pool", ID: r.name() + "/" + name}
		}
		pp, err := pendingPoolPatch(a, live)
		return live, pp, err
	}
	return step{
		what: fmt.Sprintf("pool %s/%s to be ready", r.name(), name),
		check: func(c *cloud.Cluster) (bool, string, error) {
			_, pp, err := pending(c)
			return err == nil && poolPatchEmpty(pp), "already-up-to-date", err
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			live, pp, err := pending(c)
			if err != nil {
				return err
			}
			return r.applyPoolChange(ctx, live, pp)
		},
		ready: poolReady(r.name(), name, true, nil),
	}
}

// applyPoolChange sends the PATCH and the label/taint PUTs, each only when its part changed.
func (r *clusterRun) applyPoolChange(ctx context.Context, live *cloud.Pool, ch plan.PoolPatch) error {
	pr, region := r.e.Provider, r.ref.Region
	if ch.Update != (cloud.PoolUpdate{}) {
		if _, err := pr.UpdatePool(ctx, region, live.ID, ch.Update); err != nil {
			return fmt.Errorf("update pool %q: %w", live.Name, err)
		}
	}
	if ch.Labels != nil {
		if err := pr.SetPoolLabels(ctx, region, live.ID, *ch.Labels); err != nil {
			return fmt.Errorf("set labels of pool %q: %w", live.Name, err)
		}
	}
	if ch.Taints != nil {
		if err := pr.SetPoolTaints(ctx, region, live.ID, *ch.Taints); err != nil {
			return fmt.Errorf("set taints of pool %q: %w", live.Name, err)
		}
	}
	if ch.StartupTaints != nil {
		if err := pr.SetPoolStartupTaints(ctx, region, live.ID, *ch.StartupTaints); err != nil {
			return fmt.Errorf("set startup taints of pool %q: %w", live.Name, err)
		}
	}
	return nil
}

func (r *clusterRun) upgradePool(a plan.Action) step {
	name, v := a.Payload.Pool, a.Payload.Version
	atVersion := func(p *cloud.Pool) bool { return atVersion(p.Version, v) }
	return step{
		what: fmt.Sprintf("pool %s/%s to be ready at %s", r.name(), name, v),
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", errAbsent(r.name())
			}
			p := findPool(c, name)
			if p == nil {
				return false, "", &cloud.NotFoundError{Resource: "pool", ID: r.name() + "/" + name}
			}
			if v == "" {
				return false, "", fmt.Errorf("action %s names no version", a.ID)
			}
			return atVersion(p), "already-at-version", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			if err := r.e.Provider.UpgradePool(ctx, r.ref.Region, findPool(c, name).ID, v); err != nil {
				return fmt.Errorf("upgrade pool %q to %s: %w", name, v, err)
			}
			return nil
		},
		ready: poolReady(r.name(), name, true, atVersion),
	}
}

func (r *clusterRun) deletePool(name string) step {
	return step{
		what: fmt.Sprintf("pool %s/%s to be deleted", r.name(), name),
		check: func(c *cloud.Cluster) (bool, string, error) {
			if c == nil {
				return false, "", errAbsent(r.name())
			}
			return findPool(c, name) == nil, "already-gone", nil
		},
		mutate: func(ctx context.Context, c *cloud.Cluster) error {
			if err := r.e.Provider.DeletePool(ctx, r.ref.Region, findPool(c, name).ID); err != nil && !cloud.IsNotFound(err) {
				return fmt.Errorf("delete pool %q: %w", name, err)
			}
			return nil
		},
		ready: poolGone(name),
	}
}
