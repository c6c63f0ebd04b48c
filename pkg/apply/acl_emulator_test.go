package apply_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

const aclSpec = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: locked}
spec:
  region: fr-par
  version: "1.35"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  adopt: true
  acl:
    scalewayRanges: true
    rules:
      - {ip: 203.0.113.0/24, description: office}
      - {ip: 198.51.100.7/32, description: bastion}
  pools:
    - {name: web, nodeType: PRO2-S, zone: fr-par-1, size: 1}
`

// spec.acl through the real API shape: the plan reads the live list (the emulator starts with
// the API's allow-all rule), sets the declared one, and a re-plan finds nothing to do.
func TestClusterACLThroughTheEmulator(t *testing.T) {
	e := emulatortest.Start(t, emulator.Options{})
	at := time.Now()
	var version string
	for _, v := range emulator.CatalogAt(emulator.DefaultCatalog(), at) {
		if strings.HasPrefix(v, "1.35.") {
			version = v
			break
		}
	}
	if _, err := e.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "locked", Version: version, ProjectID: emulatortest.ProjectID,
		PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Pools:            []emulator.SeedPool{{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 1, Version: version}}}}}); err != nil {
		t.Fatal(err)
	}
	prov, err := scaleway.New(scaleway.WithAPIURL(e.URL), scaleway.WithCredentials(scaleway.Credentials{AccessKey: emulatortest.AccessKey,
		SecretKey: emulatortest.SecretKey, ProjectID: emulatortest.ProjectID, Region: "fr-par"}))
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{"clusters/locked.yaml": {Data: []byte(aclSpec)}}
	repo, err := spec.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	r := &reconcile.Reconciler{Provider: prov, DefaultRegion: "fr-par", DefaultProjectID: emulatortest.ProjectID,
		Exec: &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}}}
	co := &checkout.Checkout{FS: files}
	pass, err := r.Once(t.Context(), reconcile.ModeApply, co, repo)
	if err != nil {
		t.Fatalf("pass: %v", err)
	}
	var acl *plan.Action
	for i, a := range pass.Plan.Clusters[0].Actions {
		if a.Type == plan.SetClusterACL {
			acl = &pass.Plan.Clusters[0].Actions[i]
		}
	}
	if acl == nil || pass.Result == nil || pass.Result.Failed() {
		t.Fatalf("plan %+v, result %+v: want a set-cluster-acl applied", pass.Plan.Clusters[0].Actions, pass.Result)
	}
	if before := acl.Changes[0].Before.([]string); !slices.ContainsFunc(before, func(k string) bool { return strings.HasPrefix(k, "0.0.0.0/0") }) {
		t.Errorf("the live list before = %v, want the API's allow-all rule", before)
	}
	live, err := prov.ClusterACLRules(t.Context(), "fr-par", pass.Plan.Clusters[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range live {
		if l.ScalewayRanges {
			got = append(got, "scaleway")
		} else {
			got = append(got, l.IP+" "+l.Description)
		}
	}
	slices.Sort(got)
	if want := []string{"198.51.100.7/32 bastion", "203.0.113.0/24 office", "scaleway"}; !slices.Equal(got, want) {
		t.Errorf("live ACL = %v, want %v", got, want)
	}
	again, err := r.Plan(t.Context(), co, repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range again.Plan.Clusters[0].Actions {
		if a.Type == plan.SetClusterACL {
			t.Errorf("a second plan sets the ACL again: %+v", a)
		}
	}
}

var _ cloud.ACLs = (*scaleway.Provider)(nil)
