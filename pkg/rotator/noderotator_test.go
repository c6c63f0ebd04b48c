package rotator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// blockingDrainer reports the PDBs that held a drain, as KubeDrainer does.
type blockingDrainer struct {
	*fakeDrainer
	blocking []string
}

func (d blockingDrainer) Drain(ctx context.Context, node string, o DrainOptions) (*DrainReport, error) {
	rep, err := d.fakeDrainer.Drain(ctx, node, o)
	if err != nil {
		rep.Blocking = d.blocking
	}
	return rep, err
}

func request(a plan.Action) apply.RotateRequest {
	return apply.RotateRequest{Region: "fr-par", Pool: "p", Node: a.Payload.Rotate.Node, Action: a,
		Cluster: &cloud.Cluster{ID: "c-1", Pools: []cloud.Pool{{ID: "pool-1", Name: "p"}}}}
}

// The adapter builds a cluster's Drainer once for the actions of a pass and maps the outcomes to
// what apply reports: done → nil, skip → *apply.RotationSkippedError naming the PDBs, abort →
// *apply.RotationAbortedError, failure → the cause.
func TestNodeRotatorOutcomes(t *testing.T) {
	r, fc, d, _, actions, _ := setup(4)
	built := 0
	r.NewDrainer = func([]byte) (Drainer, error) {
		built++
		return blockingDrainer{d, []string{"shop/web", "shop/db"}}, nil
	}
	d.drainErr["scw-old-2"] = fmt.Errorf("drain node: timed out: %w", ErrDrainSkipped)
	d.drainErr["scw-old-3"] = fmt.Errorf("drain node: timed out: %w", ErrDrainAborted)
	nr := &NodeRotator{Rotator: r}
	ctx := context.Background()

	if err := nr.RotateNode(ctx, request(actions[0])); err != nil {
		t.Fatalf("done: %v", err)
	}
	var skip *apply.RotationSkippedError
	if err := nr.RotateNode(ctx, request(actions[1])); !errors.As(err, &skip) ||
		skip.Reason != "drain-timeout: node scw-old-2 blocked by PodDisruptionBudget shop/web, shop/db; uncordoned" {
		t.Errorf("skip: %v", err)
	}
	var ab *apply.RotationAbortedError
	if err := nr.RotateNode(ctx, request(actions[2])); !errors.As(err, &ab) || ab.Pool != "p" || !strings.Contains(ab.Reason, "shop/web") {
		t.Errorf("abort: %v", err)
	}
	fc.replaceErr = &cloud.TerminalError{Reason: "quotas_exceeded", Err: errors.New("quota exceeded")}
	if err := nr.RotateNode(ctx, request(actions[3])); !cloud.IsTerminal(err) || !strings.Contains(err.Error(), "replace: quota exceeded") {
		t.Errorf("failure: %v (want the terminal cause)", err)
	}
	if built != 1 {
		t.Errorf("drainer built %d times for one cluster, want once", built)
	}
	if fmt.Sprint(fc.replaced) != "[old-1]" {
		t.Errorf("replaced %v, want only the drained node", fc.replaced)
	}
}

// An action naming only the pool and node gets its IDs from the fresh observation.
func TestNodeRotatorFillsIDs(t *testing.T) {
	r, fc, _, _, _, _ := setup(1)
	nr := &NodeRotator{Rotator: r}
	a := plan.Action{ID: "c/rotate-node/p/scw-old-1", Type: plan.RotateNode, Target: "node/c/p/scw-old-1",
		Payload: plan.Payload{Rotate: &plan.NodeRotation{Pool: "p", Node: "scw-old-1"}}}
	req := apply.RotateRequest{Region: "fr-par", Pool: "p", Node: "scw-old-1", Action: a,
		Cluster: &cloud.Cluster{ID: "c-1", Pools: []cloud.Pool{{ID: "pool-1", Name: "p", Nodes: fc.nodes}}}}
	if err := nr.RotateNode(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fc.replaced) != "[old-1]" {
		t.Errorf("replaced %v", fc.replaced)
	}
}
