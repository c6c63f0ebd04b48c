package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// namesPerShard picks per shards of n, names of clusters (in fr-par) that hash to each one.
func namesPerShard(n, per int) [][]string {
	out := make([][]string, n)
	for i := 0; ; i++ {
		name := fmt.Sprintf("c%02d", i)
		k := shard.Of(shard.Key("fr-par", name), n)
		if len(out[k]) < per {
			out[k] = append(out[k], name)
		}
		full := true
		for _, ns := range out {
			full = full && len(ns) == per
		}
		if full {
			return out
		}
	}
}

// addClusters commits one spec per name (the prod-par spec, renamed) to e's repository.
func (e *env) addClusters(names ...string) {
	e.t.Helper()
	files := map[string]string{}
	for _, n := range names {
		files["clusters/"+n+".yaml"] = strings.NewReplacer("name: prod-par", "name: "+n, "DRIFT", "revert").Replace(clusterYAML)
	}
	e.user.Write(e.t, files)
	e.user.CommitAndPush(e.t, "add clusters", 3)
}

// sibling is another runner on e's remote and emulator (its own git cache), as another replica.
func (e *env) sibling() *Runner {
	e.t.Helper()
	src, err := source.New(source.Options{URL: e.url, CacheDir: e.t.TempDir()})
	if err != nil {
		e.t.Fatal(err)
	}
	r := e.runner
	return &Runner{Source: src, Provider: r.Provider, Exec: r.Exec, Clock: r.Clock, DriftInterval: r.DriftInterval,
		DefaultProjectID: r.DefaultProjectID, DefaultRegion: r.DefaultRegion}
}

func liveNames(t *testing.T, e *env) []string {
	t.Helper()
	snap, err := e.prov.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: project})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range snap.Clusters {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

// Two replicas with static shards 0/2 and 1/2 tick at the same time on one repository: each
// creates and writes the status of its own clusters only, both status commits land (the later
// push is rebuilt on the new tip), and the next ticks delete nothing of the other's.
func TestShardsSplitTheFleetAndTheirStatusCommits(t *testing.T) {
	e := newEnv(t, "revert")
	names := namesPerShard(2, 2)
	e.addClusters(slices.Concat(names...)...)
	a, b := e.runner, e.sibling()
	a.Shards, b.Shards = StaticShards{Count: 2, Held: []int{0}}, StaticShards{Count: 2, Held: []int{1}}
	owners := map[string]int{} // cluster -> shard, prod-par included
	for _, n := range append(slices.Concat(names...), "prod-par") {
		owners[n] = shard.Of(shard.Key("fr-par", n), 2)
	}

	results := make([]*TickResult, 2)
	var wg sync.WaitGroup
	for i, r := range []*Runner{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			res, err := r.Tick(ctx, "start")
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for i, res := range results {
		if res.StatusCommit == "" || res.Shards == nil || !slices.Equal(res.Shards.Held, []int{i}) {
			t.Fatalf("replica %d: %+v, want its shard's pass committed", i, res)
		}
		for _, c := range res.Clusters {
			if owners[c.Name] != i {
				t.Errorf("replica %d planned %s of shard %d", i, c.Name, owners[c.Name])
			}
		}
	}
	want := slices.Sorted(func(yield func(string) bool) {
		for n := range owners {
			if !yield(n) {
				return
			}
		}
	})
	if got := liveNames(t, e); !slices.Equal(got, want) {
		t.Fatalf("live clusters %v, want %v (each once)", got, want)
	}
	log, _ := e.emu.Requests()
	if n := log.Counts["POST /k8s/v1/regions/{region}/clusters"]; n != len(want) {
		t.Errorf("cluster creations = %d, want %d", n, len(want))
	}
	for _, n := range want {
		if s := e.status(n); s.Cluster != n {
			t.Errorf("status of %s names %s", n, s.Cluster)
		}
	}
	var authors []string
	for _, c := range e.commits() {
		authors = append(authors, c.Subject)
	}
	t.Logf("history: %v", authors)

	// A second round: nothing to do, nothing written, nothing of the other shard deleted.
	before := len(e.commits())
	e.clock.Step(e.runner.DriftInterval)
	for i, r := range []*Runner{a, b} {
		res, err := r.Tick(context.Background(), "interval")
		if err != nil || res.Applied != 0 || res.StatusCommit != "" {
			t.Fatalf("replica %d second tick: %+v, %v", i, res, err)
		}
	}
	if n := len(e.commits()); n != before {
		t.Errorf("idle shards committed %d time(s)", n-before)
	}
	for _, n := range want {
		e.status(n)
	}
}

// A replica holding no shard fetches and does nothing else: no API request, no commit.
func TestNoShardPlansNothing(t *testing.T) {
	e := newEnv(t, "revert")
	e.runner.Shards = StaticShards{Count: 3}
	before := len(e.commits())
	res := e.tick("start")
	if res.Applied != 0 || res.StatusCommit != "" || res.Why != "no-shard" || len(res.Clusters) != 0 {
		t.Fatalf("tick = %+v", res)
	}
	log, _ := e.emu.Requests()
	if log.Total != 0 {
		t.Errorf("a replica with no shard sent %d API request(s): %v", log.Total, log.Counts)
	}
	if n := len(e.commits()) - before; n != 0 {
		t.Errorf("committed %d time(s)", n)
	}
	if ok, why := e.runner.Readiness(); !ok {
		t.Errorf("a standby replica is not ready: %s", why)
	}
}

// Orphans are each planned by the shard that owns them, and status/_repository.yaml is written by
// the holder of shard 0 only, naming every shard's orphans (another shard's as such, from the
// cluster list its observation reads anyway): shard 1 never writes or deletes it.
func TestShardsRepositoryStatusIsShardZeros(t *testing.T) {
	e := newEnv(t, "revert")
	names := namesPerShard(2, 1)
	owner := source.Identity(e.url, "main")
	var seed emulator.SeedRequest
	for _, n := range slices.Concat(names...) {
		seed.Clusters = append(seed.Clusters, emulator.SeedCluster{Name: n, Region: "fr-par", ProjectID: project, Version: "1.35.3",
			Tags: []string{cloud.ManagedByTag, cloud.OwnerTag(owner), cloud.ProtectionTag(true)}, PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
			Pools: []emulator.SeedPool{{Name: "a", NodeType: "PRO2-S", Size: 1}}})
	}
	if _, err := e.emu.Seed(seed); err != nil {
		t.Fatal(err)
	}
	a, b := e.runner, e.sibling()
	a.Shards, b.Shards = StaticShards{Count: 2, Held: []int{0}}, StaticShards{Count: 2, Held: []int{1}}
	repoFile := func() string {
		out, err := gittest.RunErr(e.bare, nil, "show", "refs/heads/main:status/"+RepositoryStatusName+".yaml")
		if err != nil {
			return ""
		}
		return out
	}
	if _, err := b.Tick(context.Background(), "start"); err != nil {
		t.Fatal(err)
	}
	if f := repoFile(); f != "" {
		t.Fatalf("shard 1 wrote the repository status:\n%s", f)
	}
	if _, err := a.Tick(context.Background(), "start"); err != nil {
		t.Fatal(err)
	}
	f := repoFile()
	st, err := status.ParseYAML([]byte(f))
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, o := range st.Orphans {
		actions[o.Name] = o.Action
		if o.Name == names[1][0] && !strings.Contains(o.Message, "shard 1 of 2") {
			t.Errorf("shard 1's orphan says %q, want its shard named", o.Message)
		}
	}
	if len(st.Orphans) != 2 || actions[names[0][0]] != "kept" || actions[names[1][0]] != "other-shard" {
		t.Fatalf("repository status = \n%s\nwant shard 0's orphan %s kept and shard 1's %s named as another shard's", f, names[0][0], names[1][0])
	}
	e.clock.Step(e.runner.DriftInterval)
	if _, err := b.Tick(context.Background(), "interval"); err != nil {
		t.Fatal(err)
	}
	if repoFile() != f {
		t.Error("shard 1 changed the repository status")
	}
	if got := liveNames(t, e); len(got) != 3 {
		t.Errorf("live clusters %v: an orphan was deleted or one created twice", got)
	}
}

// The shard event of a replica holding nothing said "holding shards /2": it says "holding no
// shard of 2"; a replica holding shards keeps naming them.
func TestShardEventSaysNoShardHeld(t *testing.T) {
	for _, c := range []struct {
		set  StaticShards
		want string
	}{
		{StaticShards{Count: 2}, "holding no shard of 2"},
		{StaticShards{Count: 3, Held: []int{0, 2}}, "holding shards 0,2/3"},
	} {
		e := newEnv(t, "revert")
		e.runner.Shards = c.set
		var got []string
		e.runner.Notify = func(ev Event) {
			if ev.Kind == "shards" {
				got = append(got, ev.Message)
			}
		}
		e.tick("start")
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("shards %+v: events %q, want [%q]", c.set, got, c.want)
		}
	}
}

// A sharded replica reads pools and nodes of its own clusters only (one cluster list, then
// its shard's children), and the provider's ACL support stays visible to its pass: a spec.acl
// in a shard is applied by that shard's replica (a wrapped provider once hid it, and sharded
// loops silently ignored spec.acl).
func TestShardReplicaReadsItsClustersOnlyAndAppliesACLs(t *testing.T) {
	e := newEnv(t, "revert")
	names := namesPerShard(2, 2)
	files := map[string]string{}
	for i, n := range slices.Concat(names...) {
		y := strings.NewReplacer("name: prod-par", "name: "+n, "DRIFT", "revert").Replace(clusterYAML)
		if i == len(names[0]) { // the first cluster of shard 1
			y += "  acl:\n    rules:\n      - {ip: 203.0.113.0/24, description: office}\n"
		}
		files["clusters/"+n+".yaml"] = y
	}
	e.user.Write(e.t, files)
	e.user.CommitAndPush(e.t, "add clusters", 3)
	a, b := e.runner, e.sibling()
	a.Shards, b.Shards = StaticShards{Count: 2, Held: []int{0}}, StaticShards{Count: 2, Held: []int{1}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i, r := range []*Runner{a, b} {
		if _, err := r.Tick(ctx, "start"); err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	// The access list of a new cluster is set by the next pass (the cluster exists then).
	e.clock.Step(11 * time.Minute)
	if _, err := b.Tick(ctx, "drift-check"); err != nil {
		t.Fatalf("replica 1: %v", err)
	}

	aclCluster := names[1][0]
	ids := map[string]string{} // live id -> name
	snap, err := e.prov.Observe(ctx, cloud.Ref{Region: "fr-par", ProjectID: project})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range snap.Clusters {
		ids[c.ID] = c.Name
		if c.Name != aclCluster {
			continue
		}
		rules, err := e.prov.ClusterACLRules(ctx, "fr-par", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rules) != 1 || rules[0].IP != "203.0.113.0/24" {
			t.Errorf("ACL of %s = %+v, want the spec's one rule (applied by shard 1's replica)", aclCluster, rules)
		}
	}

	// A drift pass of shard 0's replica: one cluster list, then the children of shard 0 only.
	if err := e.emu.ResetRequests(); err != nil {
		t.Fatal(err)
	}
	e.clock.Step(11 * time.Minute)
	if _, err := a.Tick(ctx, "drift-check"); err != nil {
		t.Fatal(err)
	}
	log, _ := e.emu.Requests()
	read := map[string]bool{}
	for _, rec := range log.Requests {
		if rec.Endpoint != "GET /k8s/v1/regions/{region}/clusters/{cluster_id}/pools" {
			continue
		}
		parts := strings.Split(rec.Path, "/")
		name := ids[parts[len(parts)-2]]
		read[name] = true
		if shard.Of(shard.Key("fr-par", name), 2) != 0 {
			t.Errorf("shard 0's replica read the pools of %s (shard 1)", name)
		}
	}
	if len(read) == 0 {
		t.Errorf("shard 0's drift pass read no pools: %v", log.Counts)
	}
	if n := log.Counts["GET /k8s/v1/regions/{region}/clusters"]; n != 1 {
		t.Errorf("cluster lists = %d, want 1", n)
	}
}
