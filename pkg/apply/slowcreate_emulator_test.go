package apply_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// A slow API: the create-cluster request outlives the HTTP client's timeout and the API creates
// the cluster after the client gave up. The retries only look for it; the next pass adopts it.
// Before, each retry observed before the API had acted and sent the create again: three tries,
// three clusters named slow (cluster names are not unique at Scaleway).
func TestSlowCreateIsNotSentTwice(t *testing.T) {
	e := emulatortest.Start(t, emulator.Options{})
	const createRoute = "POST /k8s/v1/regions/{region}/clusters"
	if err := e.Admin.SetFaults(emulator.Faults{Latency: 1500 * time.Millisecond, MutateOnly: true, PathPattern: "/k8s/v1/regions/*/clusters"}); err != nil {
		t.Fatal(err)
	}
	prov, err := scaleway.New(scaleway.WithAPIURL(e.URL), scaleway.WithHTTPClient(&http.Client{Timeout: 500 * time.Millisecond}),
		scaleway.WithCredentials(scaleway.Credentials{AccessKey: emulatortest.AccessKey,
			SecretKey: emulatortest.SecretKey, ProjectID: emulatortest.ProjectID, Region: "fr-par"}))
	if err != nil {
		t.Fatal(err)
	}
	want := cloud.Cluster{Name: "slow", Region: "fr-par", ProjectID: emulatortest.ProjectID, Type: "kapsule", Version: latestOf(t, "1.36"), CNI: "cilium",
		Tags: []string{cloud.ManagedByTag}, Pools: []cloud.Pool{{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 1}}}
	a := plan.Action{ID: "slow/create-cluster", Type: plan.CreateCluster, Target: "cluster/slow", Payload: plan.Payload{Cluster: &want}}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{{Name: "slow", Region: "fr-par", ProjectID: emulatortest.ProjectID, Actions: []plan.Action{a}}}}
	exec := &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond, Retry: backoff.Policy{Attempts: 3, Base: 10 * time.Millisecond}}}

	res, err := exec.Apply(t.Context(), p, apply.Input{SkipStaleCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if cr := res.Clusters[0]; cr.State != apply.ClusterFailed || !cloud.IsTransient(cr.Err) || !strings.Contains(cr.Error, "not sent again") {
		t.Fatalf("first pass = %s %q, want a transient failure saying the create was not sent again", cr.State, cr.Error)
	} else if n := strings.Count(cr.Error, `create cluster "slow"`); n != 1 {
		t.Errorf("error %q names the create %d times, want once", cr.Error, n)
	}
	// The API finishes the request the client gave up on (the log records it when it answers).
	deadline := time.Now().Add(30 * time.Second)
	for {
		log, err := e.Admin.Requests()
		if err != nil {
			t.Fatal(err)
		}
		if log.Counts[createRoute] > 0 {
			if n := log.Counts[createRoute]; n != 1 {
				t.Fatalf("%d create-cluster requests, want 1", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the API never answered the create")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := e.Admin.ClearFaults(); err != nil {
		t.Fatal(err)
	}

	// The next pass finds the cluster and adopts it.
	res, err = exec.Apply(t.Context(), p, apply.Input{SkipStaleCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if ar := res.Clusters[0].Actions[0]; ar.Outcome != apply.Skipped || ar.Reason != "already-exists" {
		t.Errorf("next pass: %s %s %s, want the created cluster adopted", ar.Outcome, ar.Reason, ar.Error)
	}
	snap, err := prov.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range snap.Clusters {
		if c.Name == "slow" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d clusters named slow, want 1", n)
	}
}
