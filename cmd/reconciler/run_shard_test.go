package main

import (
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
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
		{[]string{"--shards", "3"}, "--shards without --shard-id needs --leader-elect"},
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
