package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// TestAcceptanceKilledApplyConvergesOnRerun builds the real binary, runs `apply --auto-approve`
// as a separate process against the emulator, SIGKILLs it as soon as the first mutation is on the
// wire, and runs apply again: with no state file, the re-run converges with no duplicate.
func TestAcceptanceKilledApplyConvergesOnRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	// transitions slow enough that the first apply is still waiting when it is killed
	srv := startEmulatorDwell(t, emulator.Dwell{ClusterCreate: 300 * time.Millisecond, PoolScaling: 100 * time.Millisecond,
		NodeCreate: 300 * time.Millisecond, ClusterUpgrade: 200 * time.Millisecond, PoolUpgrade: 100 * time.Millisecond,
		NodeDelete: 100 * time.Millisecond})
	repo := writeRepo(t, threeClusters)
	killAtFirstMutation(t, bin, srv, args("apply", "--repo", repo, "--auto-approve")...)
	if n := len(live(t).Clusters); n == 3 && allReady(t) {
		t.Fatalf("the first apply finished before the kill: the test proves nothing")
	}

	// run again until the plan is empty (a cluster still creating may be deferred as not-ready)
	for i := 0; ; i++ {
		code, out, errOut := cli(t, "", args("apply", "--repo", repo, "--auto-approve")...)
		if code != 0 {
			t.Fatalf("re-run %d: exit %d\n%s\n%s", i, code, out, errOut)
		}
		assertNoDuplicates(t, live(t))
		if code, _, _ := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode")...); code == 0 && allReady(t) {
			break
		}
		if i == 20 {
			t.Fatal("did not converge in 20 re-runs")
		}
		time.Sleep(100 * time.Millisecond) // let the emulator's real-time transitions happen
	}
	snap := live(t)
	if len(snap.Clusters) != 3 {
		t.Fatalf("clusters = %d, want 3", len(snap.Clusters))
	}
	log, _ := srv.Requests()
	if n := log.CountOf("POST /k8s/v1/regions/{region}/clusters"); n != 3 {
		t.Errorf("cluster creations on the wire = %d, want exactly 3", n)
	}
}

// buildBinary builds the reconciler into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reconciler")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// killAtFirstMutation runs the binary with args as a separate process and SIGKILLs it as soon
// as the emulator has answered its first mutation.
func killAtFirstMutation(t *testing.T, bin string, srv *emulator.Server, args ...string) {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stderr = os.Environ(), &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for firstMutation(t, srv) == "" {
		select {
		case err := <-exited:
			t.Fatalf("%s exited (%v) before any mutation; stderr:\n%s", args[0], err, stderr.String())
		case <-deadline:
			t.Fatal("no mutation within 30s")
		case <-time.After(2 * time.Millisecond): // polling the server's log, not waiting for time
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	t.Logf("killed after %s", firstMutation(t, srv))
}

func firstMutation(t *testing.T, srv *emulator.Server) string {
	log, err := srv.Requests()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Requests {
		if r.Method != "GET" && r.Status < 300 {
			return r.Method + " " + r.Path
		}
	}
	return ""
}

func allReady(t *testing.T) bool {
	for _, c := range live(t).Clusters {
		if c.Status != "ready" {
			return false
		}
		for _, p := range c.Pools {
			if p.Status != "ready" {
				return false
			}
		}
	}
	return true
}
