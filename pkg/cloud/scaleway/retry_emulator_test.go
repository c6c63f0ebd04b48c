package scaleway

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// emulatorFleet starts the emulator with n seeded clusters of two pools (3 nodes) each and
// returns it with an adapter on an instant clock, warmed up (GET /metadata done), request log
// empty.
func emulatorFleet(tb testing.TB, n int, opts ...Option) (*emulatortest.Env, *Provider, *backofftest.InstantClock, emulator.SeedResult) {
	tb.Helper()
	e := emulatortest.Start(tb, emulator.Options{Dwell: emulator.TestDwell})
	var seed emulator.SeedRequest
	for i := range n {
		seed.Clusters = append(seed.Clusters, emulator.SeedCluster{Name: fmt.Sprintf("c%03d", i), Version: "1.35.3",
			ProjectID: emulatortest.ProjectID, Tags: []string{cloud.ManagedByTag},
			Pools: []emulator.SeedPool{{Name: "a", NodeType: "PRO2-S", Size: 2}, {Name: "b", NodeType: "PRO2-S", Size: 1}}})
	}
	seeded, err := e.Admin.Seed(seed)
	if err != nil {
		tb.Fatal(err)
	}
	clk := newInstantClock()
	p, err := New(append([]Option{WithClient(e.Client), WithSecret(emulatortest.SecretKey), WithClock(clk)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	p.warmUp()
	if err := e.Admin.ResetRequests(); err != nil {
		tb.Fatal(err)
	}
	return e, p, clk, seeded
}

// emulatorTarget is 1+2N+1 with the emulator's page size of 20 for the cluster list.
func emulatorTarget(n int) int { return (n+19)/20 + 2*n + 1 }

func TestObserveOf200ClustersSurvives20PercentFaults(t *testing.T) {
	const n = 200
	e, p, clk, seeded := emulatorFleet(t, n)
	if err := e.Admin.SetFaults(emulator.Faults{Seed: 42, Rate429: 0.10, Rate503: 0.10}); err != nil {
		t.Fatal(err)
	}
	snap, err := p.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID})
	if err != nil {
		t.Fatalf("Observe of %d clusters under 20%% faults: %v", n, err)
	}
	if len(snap.Clusters) != n {
		t.Fatalf("snapshot has %d clusters, want %d", len(snap.Clusters), n)
	}
	for _, c := range snap.Clusters {
		if len(c.Pools) != 2 || len(c.Pools[0].Nodes)+len(c.Pools[1].Nodes) != 3 {
			t.Fatalf("cluster %s: %d pools", c.Name, len(c.Pools))
		}
	}

	// Mutations under the same faults: each is sent once, whatever the answer.
	const muts = 30
	var failed int
	for _, c := range seeded.Clusters[:muts] {
		_, err := p.UpdateCluster(t.Context(), "fr-par", c.ID, cloud.ClusterUpdate{Description: ptr("observed under faults")})
		var te *cloud.TransientError
		switch {
		case errors.As(err, &te):
			failed++
		case err != nil:
			t.Fatalf("UpdateCluster: %v", err)
		}
	}

	log, err := e.Admin.Requests()
	if err != nil {
		t.Fatal(err)
	}
	var gets, faultedGets, patches, faultedPatches int
	lastFailed := map[string]bool{} // path → its last answer was a fault not yet retried
	for _, r := range log.Requests {
		fault := r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable
		switch r.Method {
		case http.MethodGet:
			gets++
			if fault {
				faultedGets++
			}
			delete(lastFailed, r.Path)
			if fault {
				lastFailed[r.Path] = true
			}
		case http.MethodPatch:
			patches++
			if fault {
				faultedPatches++
			}
		default:
			t.Errorf("unexpected %s %s", r.Method, r.Path)
		}
	}
	if len(lastFailed) != 0 {
		t.Errorf("GETs whose last answer was a fault (not retried): %v", lastFailed)
	}
	if want := emulatorTarget(n) + faultedGets; gets != want {
		t.Errorf("GETs = %d, want the target %d + one retry per fault (%d)", gets, emulatorTarget(n), faultedGets)
	}
	if patches != muts || faultedPatches != failed {
		t.Errorf("PATCHes = %d (%d faulted, %d errors returned), want %d, each sent once", patches, faultedPatches, failed, muts)
	}
	if faultedGets == 0 || failed == 0 {
		t.Errorf("no fault was injected (GET %d, PATCH %d): the test proves nothing", faultedGets, failed)
	}
	if got := len(clk.Slept()); got != faultedGets {
		t.Errorf("%d pauses, want one per faulted GET (%d)", got, faultedGets)
	}
	t.Logf("observe of %d clusters: %d GETs for a target of %d (%d faults retried, ratio %.3f); %d/%d PATCHes faulted, not retried",
		n, gets, emulatorTarget(n), faultedGets, float64(gets)/float64(emulatorTarget(n)), faultedPatches, patches)
}

// Without the per-request retry the same observation fails: the premise of the test above.
func TestObserveOf200ClustersFailsUnderFaultsWithoutRetry(t *testing.T) {
	e, p, _, _ := emulatorFleet(t, 200, WithReadRetry(backoff.Policy{Attempts: 1}))
	if err := e.Admin.SetFaults(emulator.Faults{Seed: 42, Rate429: 0.10, Rate503: 0.10}); err != nil {
		t.Fatal(err)
	}
	_, err := p.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID})
	var te *cloud.TransientError
	if !errors.As(err, &te) {
		t.Fatalf("Observe without retry under 20%% faults = %v, want a transient error", err)
	}
}
