package shard

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// Key is the sharding key of a cluster: its region and name (the project is left out, so a
// cluster keeps its shard whether its project is written in the spec or filled from the profile).
func Key(region, name string) string { return region + "/" + name }

// Of is the shard, in [0, n), of the cluster key: FNV-1a 32 of key mod n. n < 2 gives 0.
func Of(key string, n int) int {
	if n < 2 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(key)) // never fails
	return int(h.Sum32() % uint32(n))
}

// Set is the shards a replica holds, of Count.
type Set struct {
	Count int
	Held  []int // ascending, each in [0, Count)
}

// Owns reports whether the cluster key belongs to a held shard.
func (s Set) Owns(key string) bool { return slices.Contains(s.Held, Of(key, s.Count)) }

// String renders the held shards as "0,2/3", for logs.
func (s Set) String() string {
	parts := make([]string, len(s.Held))
	for i, k := range s.Held {
		parts[i] = strconv.Itoa(k)
	}
	return strings.Join(parts, ",") + "/" + strconv.Itoa(s.Count)
}

// Check validates a static assignment: n shards, this replica holding id.
func Check(n, id int) error {
	switch {
	case n < 1:
		return fmt.Errorf("shards %d: want at least 1", n)
	case id < 0 || id >= n:
		return fmt.Errorf("shard id %d: want 0 to %d (shards %d)", id, n-1, n)
	}
	return nil
}
