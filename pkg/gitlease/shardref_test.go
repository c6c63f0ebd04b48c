package gitlease_test

import (
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// Shard leases are refs of their own on a real remote: shard 0 and shard 1 each have one holder,
// independent of each other and of the branch's one-writer lease (no ref is a prefix of another).
func TestShardRefsAreIndependentLeases(t *testing.T) {
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/a.yaml": "x"}, "seed")
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	lease := func(holder, ref string) *gitlease.Lease {
		l := newLease(t, "file://"+bare, holder, clk)
		l.Ref = ref
		return l
	}
	branch := lease("x", gitlease.Ref("main"))
	a0, b0 := lease("a", gitlease.ShardRef("main", 0)), lease("b", gitlease.ShardRef("main", 0))
	b1 := lease("b", gitlease.ShardRef("main", 1))
	if !try(t, branch) || !try(t, a0) || try(t, b0) || !try(t, b1) {
		t.Fatalf("want the branch lease, a on shard 0 (b refused) and b on shard 1: branch %v a0 %v b0 %v b1 %v",
			branch.Leading(), a0.Leading(), b0.Leading(), b1.Leading())
	}
	for _, ref := range []string{gitlease.Ref("main"), gitlease.ShardRef("main", 0), gitlease.ShardRef("main", 1)} {
		if out := gittest.Run(t, bare, "rev-parse", "--verify", ref); out == "" {
			t.Errorf("%s missing on the remote", ref)
		}
	}
}
