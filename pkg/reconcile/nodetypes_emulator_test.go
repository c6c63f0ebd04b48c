package reconcile

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// nodeTypesOnEmulator is a reconciler planning against the emulator over HTTP through the
// real adapter.
func nodeTypesOnEmulator(t *testing.T) (*Reconciler, *scaleway.Provider, *emulatortest.Env) {
	t.Helper()
	env := emulatortest.Start(t, emulator.Options{Dwell: emulator.TestDwell})
	clk := backofftest.NewInstantClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	prov, err := scaleway.New(scaleway.WithClient(env.Client), scaleway.WithSecret(emulatortest.SecretKey), scaleway.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	return &Reconciler{Provider: prov, Clock: clk, DefaultRegion: "fr-par", DefaultProjectID: emulatortest.ProjectID}, prov, env
}

func pools(lines ...string) string { return "  pools:\n" + strings.Join(lines, "") }

// PRO2-SS is refused twice, as issue 11 asks: by the plan, from the zone's live catalog, with
// the closest names and where the pool's nodeType is written; and by the emulator's CreatePool with the API's
// error. The catalog is read once per zone per pass, whatever the number of pools in it.
func TestPlanRefusesAnUnknownNodeTypeAsTheAPIDoes(t *testing.T) {
	r, prov, env := nodeTypesOnEmulator(t)
	spec := `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: typo}
spec:
  region: fr-par
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
` + pools("    - {name: default, nodeType: PRO2-S, size: 1}\n",
		"    - {name: web, nodeType: PRO2-SS, size: 2}\n",
		"    - {name: edge, nodeType: PRO2-S, size: 1, zone: fr-par-2}\n")
	co, repo := revision(t, fstest.MapFS{"clusters/typo.yaml": {Data: []byte(spec)}})
	if err := env.Admin.ResetRequests(); err != nil {
		t.Fatal(err)
	}

	_, err := r.Plan(t.Context(), co, repo)

	want := `clusters/typo.yaml:10:19: spec.pools[1].nodeType: pool web: node type "PRO2-SS" is not offered in fr-par-1; closest: PRO2-S, PRO2-XS (see scw instance server-type list zone=fr-par-1)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Plan error = %v\nwant it to contain %s", err, want)
	}
	for _, ep := range []string{"GET /instance/v1/zones/{zone}/products/servers", "GET /instance/v1/zones/{zone}/products/servers/availability"} {
		if got := sent(t, env, ep); got != 2 {
			t.Errorf("%s sent %d times, want 2 (fr-par-1 and fr-par-2, once each)", ep, got)
		}
	}

	// The API's own answer to the same pool.
	snap, err := prov.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := prov.CreateCluster(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID}, cloud.Cluster{
		Name: "typo", Type: "kapsule", Version: snap.Versions[0].Name, CNI: "cilium", Tags: []string{cloud.ManagedByTag},
		PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b", Pools: []cloud.Pool{{Name: "default", NodeType: "PRO2-S", Size: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = prov.CreatePool(t.Context(), "fr-par", c.ID, cloud.Pool{Name: "web", NodeType: "PRO2-SS", Zone: "fr-par-1", Size: 2})
	var te *cloud.TerminalError
	if !errors.As(err, &te) || te.Reason != "invalid_arguments" || !strings.Contains(err.Error(), "node_type") {
		t.Errorf("CreatePool(PRO2-SS) = %v, want the API's invalid_arguments on node_type", err)
	}
}

// Stock comes from the live availability list: a type the emulator marks out of stock defers
// the pool that needs it, with the reason; the rest of the plan goes ahead.
func TestPlanDefersAPoolWhoseTypeIsOutOfStock(t *testing.T) {
	r, _, env := nodeTypesOnEmulator(t)
	if err := env.Admin.SetNodeTypeAvailability("fr-par-1", "PRO2-M", "shortage"); err != nil {
		t.Fatal(err)
	}
	spec := `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: stock}
spec:
  region: fr-par
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
` + pools("    - {name: default, nodeType: PRO2-M, size: 1}\n")
	co, repo := revision(t, fstest.MapFS{"clusters/stock.yaml": {Data: []byte(spec)}})

	pass, err := r.Plan(t.Context(), co, repo)
	if err != nil {
		t.Fatal(err)
	}

	cp := pass.Plan.Clusters[0]
	if len(cp.Actions) != 0 || len(cp.Deferred) != 1 || cp.Deferred[0].Why != plan.WhyOutOfStock ||
		!strings.Contains(cp.Deferred[0].Message, "PRO2-M is out of stock in fr-par-1") {
		t.Errorf("plan = actions %v deferred %+v, want the create-cluster deferred out-of-stock", cp.Actions, cp.Deferred)
	}
}

// A preview plans base and head on one set of snapshots (PlanObserved twice): both are checked
// against the zone catalogs, which are read once for the pair — the head's new zone only once more.
func TestPlanObservedChecksNodeTypesAndSharesTheCatalogReads(t *testing.T) {
	r, _, env := nodeTypesOnEmulator(t)
	doc := func(lines ...string) fstest.MapFS {
		return fstest.MapFS{"clusters/typo.yaml": {Data: []byte(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: typo}
spec:
  region: fr-par
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
` + pools(lines...))}}
	}
	bco, base := revision(t, doc("    - {name: default, nodeType: PRO2-S, size: 1}\n"))
	hco, head := revision(t, doc("    - {name: default, nodeType: PRO2-S, size: 1}\n",
		"    - {name: web, nodeType: PRO2-SS, size: 2, zone: fr-par-2}\n"))
	snaps, err := r.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Admin.ResetRequests(); err != nil {
		t.Fatal(err)
	}

	if _, err := r.PlanObserved(t.Context(), bco, base, snaps); err != nil {
		t.Fatalf("base plan: %v", err)
	}
	_, err = r.PlanObserved(t.Context(), hco, head, snaps)

	if err == nil || !strings.Contains(err.Error(), `node type "PRO2-SS" is not offered in fr-par-2`) {
		t.Fatalf("head plan error = %v, want the node type refused from fr-par-2's catalog", err)
	}
	for _, ep := range []string{"GET /instance/v1/zones/{zone}/products/servers", "GET /instance/v1/zones/{zone}/products/servers/availability"} {
		if got := sent(t, env, ep); got != 2 {
			t.Errorf("%s sent %d times, want 2 (fr-par-1 for both plans, fr-par-2 for the head)", ep, got)
		}
	}
}
