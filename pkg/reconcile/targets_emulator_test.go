package reconcile

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/backoff/backofftest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

const availableVersionsRoute = "GET /k8s/v1/regions/{region}/clusters/{cluster_id}/available-versions"

// targetsOnEmulator is a reconciler on the emulator over HTTP whose catalog lists 1.37 for new
// clusters but does not open it to upgrades yet, with two clusters: "behind" on 1.36.4 and
// "insync" on 1.36.5.
func targetsOnEmulator(t *testing.T) (*Reconciler, *scaleway.Provider, *emulatortest.Env, emulator.SeedResult) {
	t.Helper()
	cat := emulator.DefaultCatalog()
	for i := range cat {
		if strings.HasPrefix(cat[i].Name, "1.37.") {
			cat[i].UpgradableAt = time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
		}
	}
	env := emulatortest.Start(t, emulator.Options{Dwell: emulator.TestDwell, Catalog: cat})
	var seed emulator.SeedRequest
	for _, c := range [][2]string{{"behind", "1.36.4"}, {"insync", "1.36.5"}} {
		name, v := c[0], c[1]
		seed.Clusters = append(seed.Clusters, emulator.SeedCluster{Name: name, Version: v, ProjectID: emulatortest.ProjectID,
			Tags: []string{cloud.ManagedByTag, cloud.ProtectionTag(true)}, PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
			Pools: []emulator.SeedPool{{Name: "default", NodeType: "PRO2-S", Size: 1}}})
	}
	seeded, err := env.Admin.Seed(seed)
	if err != nil {
		t.Fatal(err)
	}
	clk := backofftest.NewInstantClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	prov, err := scaleway.New(scaleway.WithClient(env.Client), scaleway.WithSecret(emulatortest.SecretKey), scaleway.WithClock(clk),
		scaleway.WithReadRetry(backoff.Policy{Attempts: readBudget, Base: time.Second, Max: 4 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return &Reconciler{Provider: prov, Clock: clk, DefaultRegion: "fr-par", DefaultProjectID: emulatortest.ProjectID}, prov, env, seeded
}

func targetSpec(name, version string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: ` + name + `}
spec:
  region: fr-par
  version: "` + version + `"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - {name: default, nodeType: PRO2-S, zone: fr-par-1, size: 1}
`)}
}

// The region's list offers 1.37 (to new clusters) but the API does not offer it to the 1.36
// cluster as an upgrade: the plan says what the API offers instead of planning a hop the API
// would refuse, and the API does refuse it. Only the cluster the plan would upgrade costs an
// available-versions request; the one in sync costs none, and a second plan against the same
// snapshots (a preview's base and head) asks nothing again.
func TestPlanTakesUpgradeTargetsFromTheClustersAvailableVersions(t *testing.T) {
	r, prov, env, seeded := targetsOnEmulator(t)
	co, repo := revision(t, fstest.MapFS{"clusters/behind.yaml": targetSpec("behind", "1.37"), "clusters/insync.yaml": targetSpec("insync", "1.36")})
	if err := env.Admin.ResetRequests(); err != nil {
		t.Fatal(err)
	}

	_, err := r.Plan(t.Context(), co, repo)

	want := "cluster behind (fr-par): clusters/behind.yaml:6:3: spec.version: 1.37 is not offered as an upgrade from 1.36.4: the API offers 1.36.5"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Plan error = %v\nwant it to contain %s", err, want)
	}
	if got := sent(t, env, availableVersionsRoute); got != 1 {
		t.Errorf("available-versions sent %d times, want 1 (the cluster behind only)", got)
	}
	snaps, err := r.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(listed(snaps[0].Versions), "1.37.1") {
		t.Fatalf("region list %s lacks 1.37.1: the case needs it", listed(snaps[0].Versions))
	}

	// The API's own answer to the hop the region list alone would plan.
	if err := prov.UpgradeCluster(t.Context(), "fr-par", seeded.Clusters[0].ID, "1.37.1", false); err == nil {
		t.Error("UpgradeCluster(1.37.1) succeeded; the emulator should refuse an upgrade it does not offer")
	}

	// Within the minor, the patch the API offers is planned; asked once for both plans.
	co2, repo2 := revision(t, fstest.MapFS{"clusters/behind.yaml": targetSpec("behind", "1.36"), "clusters/insync.yaml": targetSpec("insync", "1.36")})
	if err := env.Admin.ResetRequests(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		pass, err := r.PlanObserved(t.Context(), co2, repo2, snaps)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range pass.Plan.Clusters {
			for _, a := range c.Actions {
				ids = append(ids, a.ID)
			}
		}
		if got := strings.Join(ids, " "); got != "behind/upgrade-cluster/1.36.5 behind/upgrade-pool/default/1.36.5" {
			t.Errorf("actions = %s, want the 1.36.5 hop of cluster behind", got)
		}
	}
	if got := sent(t, env, availableVersionsRoute); got != 1 {
		t.Errorf("available-versions sent %d times for two plans on the same snapshots, want 1", got)
	}
}

// A failed available-versions read is no failed plan: the cluster's targets come from the
// region list, with a warning.
func TestPlanWarnsWhenAvailableVersionsCannotBeRead(t *testing.T) {
	r, _, env, _ := targetsOnEmulator(t)
	if err := env.Admin.FailNext(emulator.FailNext{Method: http.MethodGet, Pattern: strings.TrimPrefix(availableVersionsRoute, "GET "), Count: 1000, Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	co, repo := revision(t, fstest.MapFS{"clusters/behind.yaml": targetSpec("behind", "1.36")})

	pass, err := r.Plan(t.Context(), co, repo)
	if err != nil {
		t.Fatal(err)
	}

	cp := pass.Plan.Clusters[0]
	var codes []string
	for _, w := range cp.Warnings {
		codes = append(codes, w.Code)
	}
	if !strings.Contains(strings.Join(codes, " "), "available-versions-unknown") || len(cp.Actions) == 0 || cp.Actions[0].ID != "behind/upgrade-cluster/1.36.5" {
		t.Errorf("plan = actions %v warnings %v, want the region list's 1.36.5 hop and available-versions-unknown", cp.Actions, codes)
	}
}

func listed(vs []cloud.Version) string {
	var s []string
	for _, v := range vs {
		s = append(s, v.Name)
	}
	return strings.Join(s, ",")
}
