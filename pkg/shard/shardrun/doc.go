// Package shardrun is the loop the shard-lease groups share (pkg/gitlease on git refs,
// pkg/kubelease on Kubernetes Leases): a round at once and every period, each change of the
// shards held logged and announced, and on cancellation a bounded release of everything held.
// The rounds themselves (how a group reads, takes and gives up shards) stay in their packages.
package shardrun
