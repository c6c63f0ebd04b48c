// Package shard splits a fleet among replicas: a cluster belongs to one of N shards by a stable
// hash of its key, and Balance says which shards a replica should hold given who holds what.
//
// Invariants:
//   - Of is a pure function of the key and N: every replica, every version and every restart
//     assigns a cluster to the same shard (FNV-1a 32-bit of "<region>/<name>", mod N). Changing N
//     moves clusters between shards; changing nothing else does.
//   - Balance never proposes a shard that another live replica holds, and never more than
//     ceil(N / replicas) shards for one replica, so replicas converge to an even split.
//
// Nothing here does I/O or reads a clock.
package shard
