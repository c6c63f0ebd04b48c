package main

import (
	"context"
	"fmt"

	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
)

// shardFleet is n Kosmos clusters c00…, one pool labelled gen: <gen>.
func shardFleet(n int, gen string) map[string]string {
	files := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("c%02d", i)
		files["clusters/"+name+".yaml"] = header + `metadata: {name: ` + name + `}
spec:
  region: fr-par
  type: multicloud
  version: "1.36"
  cni: kilo
  pools:
    - name: core
      nodeType: PRO2-XS
      zone: fr-par-1
      size: 1
      labels: {gen: "` + gen + `"}
`
	}
	return files
}

var clusterGauge = regexp.MustCompile(`^reconciler_cluster_drift\{cluster="([^"]+)"\}$`)
var shardGauge = regexp.MustCompile(`^reconciler_shard_held\{shard="(\d+)"\}$`)

// planned is what a replica's last pass planned and the shards it holds, from its /metrics.
func planned(r *replica) (clusters []string, held []int, ok bool) {
	m := r.metrics()
	if m == nil {
		return nil, nil, false
	}
	for k, v := range m {
		if c := clusterGauge.FindStringSubmatch(k); c != nil {
			clusters = append(clusters, c[1])
		}
		if s := shardGauge.FindStringSubmatch(k); s != nil && v == 1 {
			var n int
			fmt.Sscan(s[1], &n)
			held = append(held, n)
		}
	}
	slices.Sort(clusters)
	slices.Sort(held)
	return clusters, held, true
}

// eachPlannedOnce reports whether the live replicas hold every shard between them and each
// planned exactly the clusters of its shards: every cluster by exactly one replica.
func eachPlannedOnce(t *testing.T, names []string, n int, rs ...*replica) bool {
	by := map[string]string{}
	shards := 0
	for _, r := range rs {
		clusters, held, ok := planned(r)
		if !ok {
			return false
		}
		shards += len(held)
		set := shard.Set{Count: n, Held: held}
		for _, c := range clusters {
			if !set.Owns(shard.Key("fr-par", c)) {
				return false // its last pass was on shards it held before: not settled yet
			}
			if other, dup := by[c]; dup {
				t.Fatalf("%s planned by %s and %s", c, other, r.name)
			}
			by[c] = r.name
		}
	}
	return shards == n && len(by) == len(names)
}

// TestAcceptanceShardsAutoAssigned: three `run --leader-elect --shards 3` processes share three
// shard Leases on a real kube-apiserver and 30 clusters: each cluster is planned by exactly one
// replica and created once. One replica is SIGKILLed: its shard is taken over within about a
// lease duration, and a change to every cluster pushed afterwards converges everywhere.
func TestAcceptanceShardsAutoAssigned(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, starts a control plane")
	}
	kube := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kube.Kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	holder := func(lease string) string {
		l, err := kube.Client.CoordinationV1().Leases("default").Get(context.Background(), lease, metav1.GetOptions{})
		if err != nil || l.Spec.HolderIdentity == nil {
			return ""
		}
		return *l.Spec.HolderIdentity
	}
	shardedFleet(t, holder, append([]string{"--leader-elect", "--kubeconfig", kubeconfig,
		"--leader-elect-namespace", "default", "--leader-elect-name", "fleet", "--shards", "3"}, electionFlags...)...)
}

// TestAcceptanceShardsOnGitLeases: the same without Kubernetes, the shards shared through git
// lease refs (--lease-duration 3s) on the smart-HTTP remote.
func TestAcceptanceShardsOnGitLeases(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	shardedFleet(t, nil, "--shards", "3", "--lease-duration", "3s")
}

// shardedFleet runs three replicas with args on 33 clusters, checks that each cluster is planned
// by one replica and created once, kills one, and checks that its shard moves (on holder, the
// holder of a shard's Kubernetes Lease, when given) and that a change pushed afterwards converges.
func shardedFleet(t *testing.T, holder func(lease string) string, args ...string) {
	const shards, fleet = 3, 30
	bin := buildBinary(t)
	srv := startEmulator(t)
	url, bare := fleetRepo(t, true)
	pushSpecs(t, url, shardFleet(fleet, "1"), "30 clusters")
	names := append(specNames(threeClusters), specNames(shardFleet(fleet, "1"))...)
	slices.Sort(names)
	args = append(append([]string{"--repo", url}, args...), loopFlags...)
	rs := []*replica{startReplica(t, bin, "replica-a", args...), startReplica(t, bin, "replica-b", args...),
		startReplica(t, bin, "replica-c", args...)}

	took := pollUntil(t, "the fleet created and each cluster planned by one replica", 50*time.Second, func() bool {
		snap := live(t)
		assertNoDuplicates(t, snap)
		return len(snap.Clusters) == len(names) && allReady(t) && hasStatuses(t, bare, names...) &&
			eachPlannedOnce(t, names, shards, rs...) && !slices.ContainsFunc(rs, func(r *replica) bool {
			_, held, _ := planned(r)
			return len(held) != 1 // balanced: one shard each
		})
	})
	for _, r := range rs {
		clusters, held, _ := planned(r)
		t.Logf("%s holds shards %v and planned %d clusters", r.name, held, len(clusters))
		if len(held) != 1 {
			t.Errorf("%s holds %v, want one shard of three", r.name, held)
		}
	}
	t.Logf("settled in %s", took.Round(time.Millisecond))

	victim := rs[0]
	_, lost, _ := planned(victim)
	leaseName := fmt.Sprintf("fleet-shard-%d", lost[0])
	var dead string
	if holder != nil {
		dead = holder(leaseName)
	}
	victim.kill()
	killed := time.Now()
	rs = rs[1:]
	if holder != nil {
		moved := pollUntil(t, "the dead replica's Lease taken", 4*testLeaseDuration, func() bool {
			h := holder(leaseName)
			return h != "" && h != dead
		})
		t.Logf("Lease %s moved from %s to %s %s after the kill (lease duration %s)", leaseName, dead, holder(leaseName),
			moved.Round(time.Millisecond), testLeaseDuration)
	}
	took = pollUntil(t, "the dead replica's shard taken over", 4*testLeaseDuration, func() bool {
		n := 0
		for _, r := range rs {
			_, held, _ := planned(r)
			n += len(held)
		}
		return n == shards
	})
	t.Logf("shard %v worked on by a survivor %s after the kill", lost, time.Since(killed).Round(time.Millisecond))

	gen2 := pushSpecs(t, url, shardFleet(fleet, "2"), "gen 2 everywhere")
	pollUntil(t, "gen 2 applied to every cluster, each planned by one survivor", 50*time.Second, func() bool {
		snap := live(t)
		assertNoDuplicates(t, snap)
		for _, c := range snap.Clusters {
			if strings.HasPrefix(c.Name, "c") && (len(c.Pools) != 1 || c.Pools[0].Labels["gen"] != "2") {
				return false
			}
		}
		return eachPlannedOnce(t, names, shards, rs...) && observedAll(t, bare, gen2, names...)
	})
	if n := clusterCreations(t, srv); n != len(names) {
		t.Errorf("cluster creations = %d, want %d (each once)", n, len(names))
	}
	t.Logf("status commits per replica: %v", authors(t, bare))

}

// TestAcceptanceStaticShards: `--shards 2 --shard-id K` processes on git leases, shard 0 twice
// (its second process follows through refs/reconciler/shard-lease/main/0): every cluster is
// planned by its shard's writer, created once, and the standby of shard 0 never applies.
func TestAcceptanceStaticShards(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startEmulator(t)
	url, bare := fleetRepo(t, true)
	pushSpecs(t, url, shardFleet(12, "1"), "12 clusters")
	names := append(specNames(threeClusters), specNames(shardFleet(12, "1"))...)
	common := append([]string{"--repo", url, "--shards", "2", "--lease-duration", "3s"}, loopFlags...)
	s0 := startReplica(t, bin, "shard-0", append(common, "--shard-id", "0")...)
	s1 := startReplica(t, bin, "shard-1", append(common, "--shard-id", "1")...)
	standby := startReplica(t, bin, "shard-0-standby", append(common, "--shard-id", "0")...)
	// plannedOwn: r's last pass planned exactly the clusters of shard k.
	plannedOwn := func(r *replica, k int) bool {
		clusters, _, ok := planned(r)
		var want []string
		for _, n := range names {
			if shard.Of(shard.Key("fr-par", n), 2) == k {
				want = append(want, n)
			}
		}
		slices.Sort(want)
		return ok && slices.Equal(clusters, want)
	}
	pollUntil(t, "the fleet created, each shard's clusters planned by its writer", 50*time.Second, func() bool {
		snap := live(t)
		assertNoDuplicates(t, snap)
		return len(snap.Clusters) == len(names) && allReady(t) && hasStatuses(t, bare, names...) &&
			plannedOwn(s1, 1) && (plannedOwn(s0, 0) || plannedOwn(standby, 0))
	})
	writer0, follower0 := s0, standby
	if s0.count("applied") == 0 {
		writer0, follower0 = standby, s0
	}
	if n := follower0.count("applied") + follower0.count("committed"); n != 0 {
		t.Errorf("%s applied or committed %d time(s) while %s held shard 0", follower0.name, n, writer0.name)
	}
	if writer0.count("applied") == 0 {
		t.Errorf("nobody applied shard 0")
	}
	if n := clusterCreations(t, srv); n != len(names) {
		t.Errorf("cluster creations = %d, want %d (each once)", n, len(names))
	}
	t.Logf("status commits: %v", authors(t, bare))
}
