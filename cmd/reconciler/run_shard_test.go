package main

import (
	"context"
	"strings"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// Bad sharding flags fail at start with a message naming the flag and what to do.
func TestRunShardFlagsAreChecked(t *testing.T) {
	startEmulator(t)
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/.keep": ""}, "seed")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shards", "3", "--lease", "none"}, "--shards without --shard-id shares the shards through leases"},
		{[]string{"--shards", "3", "--shard-id", "3"}, "shard id 3: want 0 to 2"},
		{[]string{"--shards", "0", "--shard-id", "0"}, "shards 0: want at least 1"},
	} {
		a := append([]string{"run", "--repo", "file://" + bare, "--cache-dir", t.TempDir(), "--listen", ""}, tc.args...)
		code, _, stderr := cli(t, "", a...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 1 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// `apply` refuses while a sharded loop holds one of the branch's shard leases.
func TestApplyRefusesWhileAShardLeaseIsHeld(t *testing.T) {
	gs, bare, _ := edgeOverHTTP(t, "tok-9")
	src, err := source.New(source.Options{URL: gs.RepoURL("fleet.git"), Auth: source.Auth{Token: "tok-9"}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// shard 0's lease expired long ago, shard 1's is live
	clk := clocktesting.NewFakeClock(time.Now().Add(-2 * time.Hour))
	old := &gitlease.Lease{Store: src, Ref: gitlease.ShardRef("main", 0), Holder: "gone", Duration: time.Minute, Clock: clk}
	live1 := &gitlease.Lease{Store: src, Ref: gitlease.ShardRef("main", 1), Holder: "shard-1-loop", Duration: time.Hour}
	for _, l := range []*gitlease.Lease{old, live1} {
		if ok, err := l.Try(context.Background()); !ok || err != nil {
			t.Fatalf("take %s: %v %v", l.Ref, ok, err)
		}
	}
	before := gittest.Head(t, bare, "main")
	code, _, stderr := cli(t, "", args("apply", "--repo", gs.RepoURL("fleet.git"), "--auto-approve")...)
	if code != 1 || !strings.Contains(stderr, `"shard-1-loop"`) || !strings.Contains(stderr, "shard-lease/main/1") {
		t.Fatalf("apply under a live shard lease: exit %d, stderr:\n%s", code, stderr)
	}
	if gittest.Head(t, bare, "main") != before {
		t.Fatal("apply under a live shard lease committed")
	}
}

// run -h said "(default -1)" for --shard-id while its text says "omitted": no default is shown,
// and the flag still parses (omitted: -1, shared shards; a number: that shard; junk: refused).
func TestRunShardIDHelpHasNoSentinelDefault(t *testing.T) {
	_, stdout, _ := runCmd(t, "run", "-h")
	line := ""
	for l := range strings.SplitSeq(stdout, "\n") {
		if strings.Contains(l, "--shard-id") {
			line = l
		}
	}
	if line == "" || strings.Contains(line, "(default") || !strings.Contains(line, "--shard-id int") {
		t.Errorf("--shard-id help line: %q", line)
	}
	env := &cmdEnv{stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	if f, _ := parseRunFlags(env, []string{"--repo", "x"}); f == nil || f.shard.id != -1 || f.shard.enabled() {
		t.Errorf("omitted --shard-id: %+v", f)
	}
	if f, _ := parseRunFlags(env, []string{"--repo", "x", "--shards", "2", "--shard-id", "1"}); f == nil || f.shard.id != 1 {
		t.Errorf("--shard-id 1: %+v", f)
	}
	if f, code := parseRunFlags(env, []string{"--repo", "x", "--shard-id", "one"}); f != nil || code != 1 {
		t.Errorf("--shard-id one: accepted")
	}
}
