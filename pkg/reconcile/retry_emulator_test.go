package reconcile

import (
	"net/http"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// Budgets of the two layers that could retry a read, chosen apart so that a product shows.
const (
	readBudget  = 5 // the adapter's tries of one GET
	applyBudget = 8 // apply's tries of one mutation
)

// emulatorReconciler wires a reconciler on the emulator over HTTP, with the adapter's read retry
// and apply's retry both on an instant clock, and the GETs matching pattern failing with 503
// from now on.
func emulatorReconciler(t *testing.T, pattern string) (*Reconciler, *emulatortest.Env, emulator.SeedResult) {
	t.Helper()
	env := emulatortest.Start(t, emulator.Options{Dwell: emulator.TestDwell})
	seeded, err := env.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "a", Version: "1.35.3",
		ProjectID: emulatortest.ProjectID, Tags: []string{cloud.ManagedByTag},
		Pools: []emulator.SeedPool{{Name: "default", NodeType: "PRO2-S", Size: 1}}}}})
	if err != nil {
		t.Fatal(err)
	}
	clk := backofftest.NewInstantClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	prov, err := scaleway.New(scaleway.WithClient(env.Client), scaleway.WithSecret(emulatortest.SecretKey),
		scaleway.WithClock(clk), scaleway.WithReadRetry(backoff.Policy{Attempts: readBudget, Base: time.Second, Max: 4 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	r := &Reconciler{
		Provider: prov, Clock: clk, DefaultRegion: "fr-par", DefaultProjectID: emulatortest.ProjectID,
		Exec: &apply.Executor{Provider: prov, Clock: clk, Concurrency: 1,
			Options: apply.Options{Retry: backoff.Policy{Attempts: applyBudget, Base: time.Second, Max: 4 * time.Second}}},
	}
	if err := env.Admin.FailNext(emulator.FailNext{Method: http.MethodGet, Pattern: pattern, Count: 1000, Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	if err := env.Admin.ResetRequests(); err != nil {
		t.Fatal(err)
	}
	return r, env, seeded
}

// sent counts the requests of endpoint ("METHOD /route/{template}") the emulator answered.
func sent(t *testing.T, env *emulatortest.Env, endpoint string) int {
	t.Helper()
	log, err := env.Admin.Requests()
	if err != nil {
		t.Fatal(err)
	}
	return log.Counts[endpoint]
}

// A read is retried at exactly one layer, the adapter's: a GET that keeps failing during a
// pass's observation is sent the adapter's budget of times, not that budget times apply's.
func TestObserveRetriesAFailingReadOnlyInTheAdapter(t *testing.T) {
	r, env, _ := emulatorReconciler(t, "/k8s/v1/regions/{region}/clusters")

	co, repo := revision(t, fstest.MapFS{"clusters/a.yaml": cluster("a", "fr-par", "")})
	_, err := r.Plan(t.Context(), co, repo)

	if !cloud.IsTransient(err) {
		t.Fatalf("Plan = %v, want the transient error of the failing list", err)
	}
	if got := sent(t, env, "GET /k8s/v1/regions/{region}/clusters"); got != readBudget {
		t.Errorf("GET clusters sent %d times, want the adapter's budget %d (not %d × apply's %d)", got, readBudget, readBudget, applyBudget)
	}
}

// The same holds for apply's own observation of a cluster (here its stale check): apply retries
// mutations, never the adapter's reads.
func TestApplyRetriesAFailingReadOnlyInTheAdapter(t *testing.T) {
	r, env, seeded := emulatorReconciler(t, "/k8s/v1/regions/{region}/clusters/{cluster_id}")
	id := seeded.Clusters[0].ID
	p := &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "a", Region: "fr-par", ProjectID: emulatortest.ProjectID, ID: id,
		BasedOn: &plan.Fingerprint{ClusterID: id},
		Actions: []plan.Action{{ID: "a/update-cluster", Type: plan.UpdateCluster, Target: "cluster/a"}}}}}

	res, err := r.Exec.Apply(t.Context(), p, apply.Input{})
	if err != nil {
		t.Fatal(err)
	}

	if cr := res.Clusters[0]; cr.State != apply.ClusterFailed || !cloud.IsTransient(cr.Err) {
		t.Fatalf("cluster = %s %v, want failed with the transient error of the failing GET", cr.State, cr.Err)
	}
	if got := sent(t, env, "GET /k8s/v1/regions/{region}/clusters/{cluster_id}"); got != readBudget {
		t.Errorf("GET cluster sent %d times, want the adapter's budget %d (not %d × apply's %d)", got, readBudget, readBudget, applyBudget)
	}
}
