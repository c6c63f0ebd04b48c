package apply_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// latestOf is the newest version of minor the emulator offers now.
func latestOf(t *testing.T, minor string) string {
	t.Helper()
	for _, v := range emulator.CatalogAt(emulator.DefaultCatalog(), time.Now()) {
		if strings.HasPrefix(v, minor+".") {
			return v
		}
	}
	t.Fatalf("the emulator offers no %s", minor)
	return ""
}

// A pool deleted by hand while the loop waits for its upgrade ends the wait at once with the
// pool named as gone: before, the wait polled an absent pool until the upgrade-pool timeout (an
// hour by default), holding the whole pass.
func TestPoolDeletedByHandDuringItsUpgradeEndsTheWait(t *testing.T) {
	from, to := latestOf(t, "1.35"), latestOf(t, "1.36")
	// The pool's upgrade lasts an hour of the emulator's (real) clock: the wait sees it upgrading.
	e := emulatortest.Start(t, emulator.Options{Dwell: emulator.Dwell{PoolUpgrade: time.Hour}})
	seeded, err := e.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "gone", Version: to, ProjectID: emulatortest.ProjectID,
		Pools: []emulator.SeedPool{{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 1, Version: from}}}}})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := scaleway.New(scaleway.WithAPIURL(e.URL), scaleway.WithCredentials(scaleway.Credentials{AccessKey: emulatortest.AccessKey,
		SecretKey: emulatortest.SecretKey, ProjectID: emulatortest.ProjectID, Region: "fr-par"}))
	if err != nil {
		t.Fatal(err)
	}
	live, err := prov.GetCluster(t.Context(), "fr-par", seeded.Clusters[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	poolID := live.Pools[0].ID

	var once sync.Once
	var deleteErr error
	clk := backofftest.NewInstantClock(time.Now())
	exec := &apply.Executor{Provider: prov, Clock: clk,
		Options: apply.Options{PollInterval: time.Minute, Timeouts: map[plan.ActionType]time.Duration{plan.UpgradePool: time.Hour}},
		Progress: func(ev apply.Event) {
			if ev.Kind == apply.EventWaiting && ev.Type == plan.UpgradePool {
				// Someone deletes the pool in the console while its upgrade runs.
				once.Do(func() { deleteErr = prov.DeletePool(t.Context(), "fr-par", poolID) })
			}
		}}
	a := plan.Action{ID: "gone/upgrade-pool/web", Type: plan.UpgradePool, Target: "pool/gone/web", Payload: plan.Payload{Pool: "web", Version: to}}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "gone", Region: "fr-par", ProjectID: emulatortest.ProjectID, ID: live.ID, Actions: []plan.Action{a}}}}
	res, err := exec.Apply(t.Context(), p, apply.Input{SkipStaleCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if deleteErr != nil {
		t.Fatalf("delete the pool by hand: %v", deleteErr)
	}
	cr := res.Clusters[0]
	var timeout *apply.TimeoutError
	if cr.State != apply.ClusterFailed || errors.As(cr.Err, &timeout) || !cloud.IsNotFound(cr.Err) {
		t.Fatalf("cluster result = %s: %v; want failed because the pool is gone, not a timeout", cr.State, cr.Err)
	}
	if !strings.Contains(cr.Error, "web") {
		t.Errorf("error %q does not name the pool", cr.Error)
	}
	if polls := len(clk.Slept()); polls >= 30 {
		t.Errorf("the wait polled %d times after the pool was gone, want it to stop at once", polls)
	}
}
