package apply

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// scriptedRotator answers RotateNode per node name and records the calls.
type scriptedRotator struct {
	mu    sync.Mutex
	errs  map[string]error
	calls []string
}

func (s *scriptedRotator) RotateNode(_ context.Context, req RotateRequest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, req.Pool+"/"+req.Node)
	return s.errs[req.Node]
}

func rotateAct(pool, node string) plan.Action {
	return act("a", plan.RotateNode, "node/a/"+pool+"/"+node, pool+"/"+node, map[string]string{"pool": pool, "node": node})
}

// A skip (drain timed out, onDrainTimeout skip) is an action skipped with the rotator's reason;
// the cluster goes on and is not failed.
func TestRotationSkipDoesNotFailTheCluster(t *testing.T) {
	e := newEnv(t, 0)
	a := seedReady(e.fake, desiredCluster("a", "1.33.10"))
	rot := &scriptedRotator{errs: map[string]error{
		"default-a": &RotationSkippedError{Reason: "drain-timeout: node default-a blocked by PodDisruptionBudget web/api; uncordoned"}}}
	e.exec.Rotator = rot
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("a", a.ID, rotateAct("default", "default-a"), rotateAct("default", "default-b"))}}

	res := e.apply(t, p, Input{SkipStaleCheck: true})

	cr := res.Clusters[0]
	if diff := cmp.Diff([]string{"a/rotate-node/default/default-a=skipped", "a/rotate-node/default/default-b=done"}, outcomes(cr)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if cr.State != ClusterApplied || res.Failed() {
		t.Errorf("state %s: a skip must not fail the cluster", cr.State)
	}
	if !strings.Contains(cr.Actions[0].Reason, "PodDisruptionBudget web/api") {
		t.Errorf("skip reason %q does not name the PDB", cr.Actions[0].Reason)
	}
}

// An abort stops the pool's remaining rotations (not-run, with the reason) but not the other
// pools' ones; the cluster ends failed with the abort.
func TestRotationAbortStopsOnlyItsPool(t *testing.T) {
	e := newEnv(t, 0)
	a := seedReady(e.fake, desiredCluster("a", "1.33.10"))
	abort := &RotationAbortedError{Pool: "default", Reason: "drain-timeout: node default-a blocked by PodDisruptionBudget web/api; uncordoned"}
	rot := &scriptedRotator{errs: map[string]error{"default-a": abort}}
	e.exec.Rotator = rot
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("a", a.ID,
		rotateAct("batch", "batch-a"), rotateAct("default", "default-a"), rotateAct("default", "default-b"), rotateAct("batch", "batch-b"))}}

	res := e.apply(t, p, Input{SkipStaleCheck: true})

	cr := res.Clusters[0]
	want := []string{"a/rotate-node/batch/batch-a=done", "a/rotate-node/default/default-a=failed",
		"a/rotate-node/default/default-b=not-run", "a/rotate-node/batch/batch-b=done"}
	if diff := cmp.Diff(want, outcomes(cr)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"batch/batch-a", "default/default-a", "batch/batch-b"}, rot.calls); diff != "" {
		t.Errorf("rotator calls (-want +got):\n%s", diff)
	}
	var ab *RotationAbortedError
	if cr.State != ClusterFailed || !errors.As(cr.Err, &ab) || !strings.Contains(cr.Error, "rotation of pool default aborted") {
		t.Errorf("cluster state %s error %q, want failed with the abort", cr.State, cr.Error)
	}
	if r := cr.Actions[2].Reason; r != "rotation-aborted: a/rotate-node/default/default-a" {
		t.Errorf("not-run reason %q", r)
	}
}
