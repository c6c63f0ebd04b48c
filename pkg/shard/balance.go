package shard

import (
	"maps"
	"slices"
)

// Balance decides which shards self should hold next, given holders (holders[k] is the live
// holder of shard k, "" when free or expired) and replicas, the number of live replicas taking
// part (self included).
//
// With N shards and R replicas each replica's share is N/R, and N%R replicas may hold one more:
// those that already do, in identity order. Self keeps its shards up to its share, lowest first,
// and gives up the rest (release); below it, it takes at most one free shard per call (acquire),
// the first free one at or after start (a per-replica offset that spreads the first claims of
// replicas started together). A shard another replica holds is never proposed.
func Balance(holders []string, self string, replicas, start int) (keep, acquire, release []int) {
	n := len(holders)
	if n == 0 {
		return nil, nil, nil
	}
	count := map[string]int{self: 0}
	for _, h := range holders {
		if h != "" {
			count[h]++
		}
	}
	replicas = max(replicas, len(count))
	base, extra := n/replicas, n%replicas
	var over []string // replicas holding more than the base share, in identity order
	for _, h := range slices.Sorted(maps.Keys(count)) {
		if count[h] > base {
			over = append(over, h)
		}
	}
	limit := base
	if i := slices.Index(over, self); (i >= 0 && i < extra) || (i < 0 && len(over) < extra) {
		limit = base + 1
	}
	for k, h := range holders {
		if h != self {
			continue
		}
		if len(keep) < limit {
			keep = append(keep, k)
		} else {
			release = append(release, k)
		}
	}
	if len(keep) < limit {
		for i := range n {
			if k := (start%n + n + i) % n; holders[k] == "" {
				acquire = append(acquire, k)
				break
			}
		}
	}
	return keep, acquire, release
}
