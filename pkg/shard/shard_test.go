package shard

import (
	"fmt"
	"math"
	"testing"
)

// TestOfIsPinned: the assignment is part of the contract between replicas of different
// versions; these values were computed with an independent FNV-1a implementation.
func TestOfIsPinned(t *testing.T) {
	for _, tc := range []struct {
		key   string
		n, k3 int
		k7    int
	}{
		{key: "fr-par/prod-par", k3: 1, k7: 3},
		{key: "nl-ams/edge", k3: 0, k7: 3},
		{key: "pl-waw/payments", k3: 1, k7: 2},
		{key: "fr-par/c00", k3: 1, k7: 6},
	} {
		if got := Of(tc.key, 3); got != tc.k3 {
			t.Errorf("Of(%q, 3) = %d, want %d", tc.key, got, tc.k3)
		}
		if got := Of(tc.key, 7); got != tc.k7 {
			t.Errorf("Of(%q, 7) = %d, want %d", tc.key, got, tc.k7)
		}
	}
}

// TestOfIsStable: the shard of a key depends on the key and N only, not on which keys were
// hashed before; one shard owns everything.
func TestOfIsStable(t *testing.T) {
	first := map[string]int{}
	for i := range 500 {
		k := Key("fr-par", fmt.Sprintf("c%03d", i))
		first[k] = Of(k, 5)
	}
	for i := 499; i >= 0; i-- {
		k := Key("fr-par", fmt.Sprintf("c%03d", i))
		if got := Of(k, 5); got != first[k] {
			t.Fatalf("Of(%q) moved from %d to %d", k, first[k], got)
		}
		if Of(k, 1) != 0 || Of(k, 0) != 0 {
			t.Fatalf("one shard must own %q", k)
		}
	}
}

// TestOfBalances: 3000 cluster names spread over 3 and 10 shards within 10% of an even split,
// and the 30 names of the three-replica acceptance test give every shard some.
func TestOfBalances(t *testing.T) {
	for _, n := range []int{3, 10} {
		counts := make([]int, n)
		const total = 3000
		for i := range total {
			counts[Of(Key([]string{"fr-par", "nl-ams", "pl-waw"}[i%3], fmt.Sprintf("cluster-%d", i)), n)]++
		}
		even := float64(total) / float64(n)
		for k, c := range counts {
			if math.Abs(float64(c)-even)/even > 0.10 {
				t.Errorf("n=%d: shard %d has %d keys, even split is %.0f (counts %v)", n, k, c, even, counts)
			}
		}
	}
	counts := make([]int, 3)
	for i := range 30 {
		counts[Of(Key("fr-par", fmt.Sprintf("c%02d", i)), 3)]++
	}
	for k, c := range counts {
		if c < 5 {
			t.Errorf("30 clusters: shard %d has only %d (counts %v)", k, c, counts)
		}
	}
}

func TestSetOwnsAndCheck(t *testing.T) {
	s := Set{Count: 3, Held: []int{0, 2}}
	owned := 0
	for i := range 300 {
		k := Key("fr-par", fmt.Sprint(i))
		if s.Owns(k) != (Of(k, 3) != 1) {
			t.Fatalf("Owns(%q) wrong for shard %d", k, Of(k, 3))
		}
		if s.Owns(k) {
			owned++
		}
	}
	if owned == 0 || owned == 300 {
		t.Errorf("owned %d of 300", owned)
	}
	if (Set{Count: 3}).Owns("fr-par/a") {
		t.Error("a replica holding no shard owns a key")
	}
	if s.String() != "0,2/3" {
		t.Errorf("String = %q", s.String())
	}
	for _, bad := range [][2]int{{0, 0}, {3, 3}, {3, -1}} {
		if Check(bad[0], bad[1]) == nil {
			t.Errorf("Check(%d, %d) accepted", bad[0], bad[1])
		}
	}
	if err := Check(3, 2); err != nil {
		t.Error(err)
	}
}
