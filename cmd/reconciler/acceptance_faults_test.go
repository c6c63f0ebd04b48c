package main

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// faults20 injects 20% faults on every API call: 429 and 503 on any request, 409 transient_state
// on mutations, plus latency.
func faults20(t *testing.T, srv *emulator.Server, seed int64) {
	t.Helper()
	if err := srv.SetFaults(emulator.Faults{Seed: seed, Rate429: 0.07, Rate503: 0.07, Rate409: 0.06, Latency: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
}

func TestAcceptanceFaultsFromEmptyConvergeWithoutDuplicates(t *testing.T) {
	srv := startEmulator(t)
	faults20(t, srv, 7)
	repo := writeRepo(t, threeClusters)

	code, out, errOut := cli(t, "", args("apply", "--repo", repo, "--auto-approve")...)
	if code != 0 {
		t.Fatalf("apply under faults: exit %d\n%s\n%s", code, out, errOut)
	}
	log, _ := srv.Requests()
	var injected, onMutations int
	for _, r := range log.Requests {
		if r.Status == 429 || r.Status == 503 || r.Status == 409 {
			injected++
			if r.Method != "GET" {
				onMutations++
			}
		}
	}
	t.Logf("%d requests, %d injected faults (%d on mutations)", log.Total, injected, onMutations)
	if injected == 0 {
		t.Error("no fault was injected")
	}
	// apply reports the retries of its mutations (the adapter retries reads quietly); which
	// requests draw a fault depends on how the three clusters' calls interleave.
	if onMutations > 0 && !strings.Contains(errOut, "retrying in") {
		t.Errorf("%d mutation(s) drew a fault but no retry was reported; stderr:\n%s", onMutations, errOut)
	}
	if err := srv.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	snap := live(t)
	assertNoDuplicates(t, snap)
	if len(snap.Clusters) != 3 {
		t.Fatalf("clusters = %d, want 3", len(snap.Clusters))
	}
	if code, out, _ := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode")...); code != 0 {
		t.Errorf("plan after apply under faults: exit %d\n%s", code, out)
	}
}

func TestAcceptanceFaultsChainedUpgradeConverges(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "batch", "web")
	faults20(t, srv, 11)
	repo := writeRepo(t, prodSpec("1.37", "batch", "web"))

	code, out, errOut := cli(t, "", args("apply", "--repo", repo, "--auto-approve")...)
	if code != 0 {
		t.Fatalf("apply under faults: exit %d\n%s\n%s", code, out, errOut)
	}
	if err := srv.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	snap := live(t)
	assertNoDuplicates(t, snap)
	c := snap.Clusters[0]
	if c.Version != "1.37.1" || len(c.Pools) != 2 || c.Pools[0].Version != "1.37.1" || c.Pools[1].Version != "1.37.1" {
		t.Errorf("after upgrade under faults: cluster %s, %d pools", c.Version, len(c.Pools))
	}
	if code, out, _ := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode")...); code != 0 {
		t.Errorf("plan after apply under faults: exit %d\n%s", code, out)
	}
}
