package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

// Short leader-election timings for the replica tests: lease 3s, renew deadline 2s, retry 500ms.
var electionFlags = []string{"--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s",
	"--leader-elect-retry-period", "500ms"}

const testLeaseDuration = 3 * time.Second

// loopFlags make the loop tick often: fetch every 300ms, observe every second.
var loopFlags = []string{"--interval", "300ms", "--drift-interval", "1s"}

// slowEmulator is the emulator with 100ms added to every API call (transitions stay immediate).
func slowEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	srv := startEmulator(t)
	if err := srv.SetFaults(emulator.Faults{Latency: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// fleetRepo is a bare repository holding threeClusters, served over smart HTTP (or "" for
// file://); it returns the URL and the repository's path.
func fleetRepo(t *testing.T, http bool) (url, bare string) {
	t.Helper()
	root := t.TempDir()
	var gs *gittest.HTTPServer
	if http {
		gs = gittest.NewHTTPServer(t, "")
		root = gs.Root
	}
	bare = gittest.NewBareRepo(t, root, "fleet.git")
	gittest.Seed(t, bare, threeClusters, "three clusters")
	if http {
		return gs.RepoURL("fleet.git"), bare
	}
	return "file://" + bare, bare
}

// leaderOf waits until one of rs logs that it leads (line) and returns it and the other.
func leaderOf(t *testing.T, line string, rs ...*replica) (leader, follower *replica) {
	t.Helper()
	pollUntil(t, "a leader", 30*time.Second, func() bool {
		for _, r := range rs {
			if strings.Contains(r.logText(), line) {
				leader = r
				return true
			}
		}
		return false
	})
	for _, r := range rs {
		if r != leader {
			follower = r
		}
	}
	return leader, follower
}

// TestAcceptanceLeaderElectionOneWriter: two `run --leader-elect` processes on one repository
// (smart HTTP), one Lease on the real kube-apiserver, the emulator at 100ms per call. Exactly one
// applies and commits; SIGKILLed in the middle of its creations, the other takes over within
// the lease duration and converges; every cluster is created once and no two live clusters ever
// share a name.
func TestAcceptanceLeaderElectionOneWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, starts a control plane")
	}
	kube := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kube.Kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	srv := slowEmulator(t)
	url, bare := fleetRepo(t, true)
	heads := watchHeads(t, bare)
	args := append(append([]string{"--repo", url, "--leader-elect", "--kubeconfig", kubeconfig,
		"--leader-elect-namespace", "default", "--leader-elect-name", "fleet"}, electionFlags...), loopFlags...)
	a, b := startReplica(t, bin, "replica-a", args...), startReplica(t, bin, "replica-b", args...)

	leader, follower := leaderOf(t, "leading: this process applies", a, b)
	pollUntil(t, "the leader's first creation", 30*time.Second, func() bool { return clusterCreations(t, srv) > 0 })
	leader.kill()
	killed := time.Now()
	if n := follower.count("applied") + follower.count("committed"); n != 0 {
		t.Fatalf("the follower applied or committed %d time(s) while the other led", n)
	}
	if follower.count("planned") == 0 {
		t.Errorf("the follower never planned")
	}
	if m := follower.metrics(); m["reconciler_leader"] != 0 {
		t.Errorf("follower's reconciler_leader = %v, want 0", m["reconciler_leader"])
	}
	t.Logf("%s killed after %d creation(s)", leader.name, clusterCreations(t, srv))

	// The takeover is bounded by two lease durations (expiry, then the follower's retries on a
	// loaded machine); the time it took is logged, not asserted tighter.
	took := pollUntil(t, "takeover", 2*testLeaseDuration, func() bool {
		return strings.Contains(follower.logText(), "leading: this process applies")
	})
	t.Logf("%s took over %s after the kill (lease duration %s)", follower.name, took.Round(time.Millisecond), testLeaseDuration)
	names := specNames(threeClusters)
	pollUntil(t, "convergence", 45*time.Second, func() bool {
		snap := live(t)
		assertNoDuplicates(t, snap)
		return len(snap.Clusters) == len(names) && allReady(t) && hasStatuses(t, bare, names...)
	})
	if n := clusterCreations(t, srv); n != len(names) {
		t.Errorf("cluster creations = %d, want %d (each once)", n, len(names))
	}
	if authors(t, bare)[follower.name] == 0 {
		t.Errorf("no status commit by the new leader %s", follower.name)
	}
	heads.assertNoOverwrite(t, bare)
	t.Logf("converged %s after the kill", time.Since(killed).Round(time.Millisecond))
}

// TestAcceptanceGitLeaseOneWriter: the same two replicas without Kubernetes, on the default git
// lease, over smart HTTP and file://. One writes; killed after its status commit, the other takes
// the lease when it expires and applies a change pushed meanwhile. No duplicate, every status
// file on the remote, both replicas' commits in a history no push overwrote.
func TestAcceptanceGitLeaseOneWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, transport := range []string{"http", "file"} {
		t.Run(transport, func(t *testing.T) {
			srv := slowEmulator(t)
			url, bare := fleetRepo(t, transport == "http")
			heads := watchHeads(t, bare)
			args := append([]string{"--repo", url, "--lease-duration", "3s"}, loopFlags...)
			a, b := startReplica(t, bin, "replica-a", args...), startReplica(t, bin, "replica-b", args...)

			leader, follower := leaderOf(t, "lease acquired", a, b)
			names := specNames(threeClusters)
			pollUntil(t, "the leader's statuses", 45*time.Second, func() bool {
				assertNoDuplicates(t, live(t))
				return hasStatuses(t, bare, names...) && authors(t, bare)[leader.name] > 0
			})
			if n := follower.count("applied") + follower.count("committed"); n != 0 {
				t.Fatalf("the follower applied or committed %d time(s) while the other held the lease", n)
			}
			leader.kill()
			edge2 := strings.Replace(threeClusters["clusters/edge.yaml"], "name: edge}", "name: edge2}", 1)
			pushSpecs(t, url, map[string]string{"clusters/edge2.yaml": edge2}, "add edge2")
			names = append(names, "edge2")

			took := pollUntil(t, "takeover", 3*testLeaseDuration, func() bool {
				return strings.Contains(follower.logText(), "lease acquired")
			})
			t.Logf("%s took the lease %s after the kill (duration %s)", follower.name, took.Round(time.Millisecond), testLeaseDuration)
			pollUntil(t, "convergence", 45*time.Second, func() bool {
				snap := live(t)
				assertNoDuplicates(t, snap)
				return len(snap.Clusters) == len(names) && allReady(t) && hasStatuses(t, bare, names...) &&
					authors(t, bare)[follower.name] > 0
			})
			if n := clusterCreations(t, srv); n != len(names) {
				t.Errorf("cluster creations = %d, want %d (each once)", n, len(names))
			}
			heads.assertNoOverwrite(t, bare)
			t.Logf("status commits: %v", authors(t, bare))
		})
	}
}
