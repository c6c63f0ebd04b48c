package engine

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

const spec1 = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: edge}
spec:
  region: fr-par
  type: multicloud
  version: "1.36"
  pools: [{name: core, nodeType: PRO2-XS, zone: fr-par-1, size: 1}]
`

// The zero Config is production's wiring: one retry policy everywhere, a node rotator, node
// rotation in the plan; through the emulator, a reconciler from it plans and applies.
func TestEngineWiresOnePolicyAndPlansThroughTheAPI(t *testing.T) {
	e := emulatortest.Start(t, emulator.Options{})
	eng, err := New(Config{APIURL: e.URL, Credentials: &scaleway.Credentials{AccessKey: emulatortest.AccessKey,
		SecretKey: emulatortest.SecretKey, ProjectID: emulatortest.ProjectID, Region: "fr-par"}, PollInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	if eng.Exec.Options.Retry != backoff.Default || eng.Exec.Rotator == nil || eng.Exec.Concurrency != 4 {
		t.Errorf("executor retry %+v rotator %v concurrency %d, want backoff.Default, a rotator, 4", eng.Exec.Options.Retry, eng.Exec.Rotator != nil, eng.Exec.Concurrency)
	}
	r := eng.Reconciler()
	if !r.Rotate || r.DefaultProjectID != emulatortest.ProjectID || r.DefaultRegion != "fr-par" {
		t.Errorf("reconciler rotate %v project %q region %q", r.Rotate, r.DefaultProjectID, r.DefaultRegion)
	}
	files := fstest.MapFS{"clusters/edge.yaml": {Data: []byte(spec1)}}
	repo, err := spec.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	pass, err := r.Once(t.Context(), reconcile.ModeApply, &checkout.Checkout{FS: files}, repo)
	if err != nil || pass.Result == nil || pass.Result.Failed() || pass.Plan.Summary.Create != 1 {
		t.Fatalf("pass: err %v, plan %+v, result %+v", err, pass.Plan.Summary, pass.Result)
	}
	if run := eng.Runner(nil); run.Provider != eng.Provider || run.Exec != eng.Exec || run.DefaultRegion != "fr-par" {
		t.Errorf("runner not on the engine: %+v", run)
	}
}

// KubeconfigEndpoint vpc is accepted by the API (the emulator) for the kubeconfig drains fetch
// (the query it sends: scaleway's TestKubeconfigEndpoint); a wrong value is refused.
func TestEngineKubeconfigEndpoint(t *testing.T) {
	e := emulatortest.Start(t, emulator.Options{})
	creds := &scaleway.Credentials{AccessKey: emulatortest.AccessKey, SecretKey: emulatortest.SecretKey, ProjectID: emulatortest.ProjectID, Region: "fr-par"}
	if _, err := New(Config{APIURL: e.URL, Credentials: creds, KubeconfigEndpoint: "internal"}); err == nil || !strings.Contains(err.Error(), "use public or vpc") {
		t.Errorf("an unknown kubeconfig endpoint: err = %v", err)
	}
	eng, err := New(Config{APIURL: e.URL, Credentials: creds, KubeconfigEndpoint: scaleway.KubeconfigVPC})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "locked", Version: "1.35.3", ProjectID: emulatortest.ProjectID}}})
	if err != nil {
		t.Skipf("seed: %v", err)
	}
	if kc, err := eng.Provider.Kubeconfig(t.Context(), "fr-par", res.Clusters[0].ID); err != nil || !strings.Contains(string(kc), "server:") {
		t.Errorf("vpc kubeconfig = %q, %v", kc, err)
	}
}
