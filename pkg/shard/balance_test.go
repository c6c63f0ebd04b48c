package shard

import (
	"fmt"
	"slices"
	"testing"
)

// TestBalanceNeverTakesAHeldShard and keeps to the fair share.
func TestBalanceNeverTakesAHeldShard(t *testing.T) {
	keep, acq, rel := Balance([]string{"b", "", "a", "a", "a"}, "a", 2, 0)
	if !slices.Equal(keep, []int{2, 3, 4}) || !slices.Equal(acq, nil) || rel != nil {
		t.Errorf("share 3: keep %v acquire %v release %v", keep, acq, rel)
	}
	keep, acq, rel = Balance([]string{"b", "", "a", "a", "a"}, "a", 3, 0)
	if !slices.Equal(keep, []int{2, 3}) || acq != nil || !slices.Equal(rel, []int{4}) {
		t.Errorf("share 2: keep %v acquire %v release %v", keep, acq, rel)
	}
	keep, acq, _ = Balance([]string{"b", "", "c", ""}, "a", 3, 2)
	if keep != nil || !slices.Equal(acq, []int{3}) {
		t.Errorf("free shards 1 and 3 from offset 2: keep %v acquire %v", keep, acq)
	}
}

// TestBalanceConverges simulates replicas joining and leaving, each round every replica
// applying Balance in turn (a write that another made first is lost, as a CAS would be): the
// split ends even, every shard held, and a dead replica's shards taken over.
func TestBalanceConverges(t *testing.T) {
	const n = 7
	holders := make([]string, n)
	live := []string{"r0"}
	rounds := func() {
		for range 20 {
			for i, self := range live {
				_, acq, rel := Balance(holders, self, len(live), i*n/len(live))
				for _, k := range rel {
					holders[k] = ""
				}
				for _, k := range acq {
					if holders[k] == "" {
						holders[k] = self
					}
				}
			}
		}
	}
	check := func() {
		t.Helper()
		per := map[string]int{}
		for k, h := range holders {
			if h == "" {
				t.Fatalf("shard %d free after convergence: %v", k, holders)
			}
			per[h]++
		}
		share := (n + len(live) - 1) / len(live)
		for _, r := range live {
			if per[r] < n/len(live) || per[r] > share {
				t.Fatalf("%s holds %d of %d with %d replicas: %v", r, per[r], n, len(live), holders)
			}
		}
	}
	rounds()
	check()
	for i := 1; i < 3; i++ {
		live = append(live, fmt.Sprintf("r%d", i))
		rounds()
		check()
	}
	// r1 dies: its shards expire (free) and the others take them.
	for k, h := range holders {
		if h == "r1" {
			holders[k] = ""
		}
	}
	live = []string{"r0", "r2"}
	rounds()
	check()
}
