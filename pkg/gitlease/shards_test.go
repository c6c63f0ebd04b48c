package gitlease_test

import (
	"context"
	"slices"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// Shared shards without Kubernetes, on a real remote with a fake clock: three replicas end with
// one shard each, never one shard two; a replica that stops renewing loses its shard to another
// once the lease expired; a fourth replica stands by (every member slot is taken) until one frees.
func TestShardSetSharesTheShardLeases(t *testing.T) {
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/a.yaml": "x"}, "seed")
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	const d = 30 * time.Second
	newSet := func(holder string) *gitlease.ShardSet {
		src, err := source.New(source.Options{URL: "file://" + bare, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return &gitlease.ShardSet{Store: src, Branch: "main", Holder: holder, Count: 3, Duration: d, Clock: clk}
	}
	ctx := context.Background()
	rounds := func(n int, sets ...*gitlease.ShardSet) {
		t.Helper()
		for range n {
			for _, s := range sets {
				if err := s.Round(ctx); err != nil {
					t.Fatalf("%s: %v", s.Holder, err)
				}
			}
			clk.Step(d / 3)
		}
	}
	held := func(sets ...*gitlease.ShardSet) (per [][]int, total int) {
		t.Helper()
		owner := map[int]string{}
		for _, s := range sets {
			h := s.Shards().Held
			for _, k := range h {
				if o, dup := owner[k]; dup {
					t.Fatalf("shard %d held by %s and %s", k, o, s.Holder)
				}
				owner[k] = s.Holder
			}
			per, total = append(per, h), total+len(h)
		}
		return per, total
	}
	a, b, c := newSet("a"), newSet("b"), newSet("c")
	rounds(4, a, b, c)
	per, total := held(a, b, c)
	if total != 3 || slices.ContainsFunc(per, func(h []int) bool { return len(h) != 1 }) {
		t.Fatalf("three replicas: %v, want one shard each", per)
	}
	lost := b.Shards().Held

	// b stops renewing (killed): its shard expires and moves to a or c.
	rounds(4, a, c)
	if len(b.Shards().Held) != 0 {
		t.Fatalf("b still holds %v after its leases expired", b.Shards().Held)
	}
	per, total = held(a, c)
	if total != 3 {
		t.Fatalf("after b died: a and c hold %v, want all three shards", per)
	}
	t.Logf("b's shard %v moved; a and c hold %v", lost, per)

	// d joins: a member slot is free again (b's expired), so the share drops and d gets one.
	dd := newSet("d")
	rounds(6, a, c, dd)
	per, total = held(a, c, dd)
	if total != 3 || slices.ContainsFunc(per, func(h []int) bool { return len(h) != 1 }) {
		t.Fatalf("a, c and d: %v, want one shard each", per)
	}
	// A fifth finds every slot taken and stands by with nothing.
	e := newSet("e")
	rounds(2, a, c, dd, e)
	if h := e.Shards().Held; len(h) != 0 {
		t.Errorf("a replica beyond the shard count holds %v", h)
	}
	held(a, c, dd, e)
	if err := a.ReleaseAll(ctx); err != nil {
		t.Fatal(err)
	}
	if len(a.Shards().Held) != 0 {
		t.Error("a still holds shards after ReleaseAll")
	}
}
