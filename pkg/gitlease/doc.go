// Package gitlease is a lease held in the git repository itself, so that two `reconciler run`
// loops on one repository never both apply, without Kubernetes.
//
// The lease of a spec branch is the ref refs/reconciler/lease/<branch> (Ref). It points at a
// parentless commit of the empty tree whose message records the holder, when it acquired the
// lease and when the lease expires (Record, RFC 3339). It is only ever moved by a compare-and-swap
// push (source.Source.SwapRef): a push rejected because the ref moved means someone else renewed
// or took it.
//
// Invariants:
//   - A process acquires the lease only when the ref is absent, its record has expired, or the
//     record is its own; an unreadable record is held by nobody we know and never taken over
//     (fail closed: delete the ref by hand).
//   - The holder renews every Duration/3. Leading is true only while now < expiry - Margin of
//     the last successful write, computed from the time read before the push: a holder that
//     cannot renew stops leading before any other process may take over, provided the clocks
//     differ by less than Margin.
//   - Release (clean shutdown) stops leading first, then writes the record expired.
//   - Time comes from the injected clock; nothing here sleeps on the wall clock in tests.
//
// The lease guards each pass (runner.Leadership): the runner checks Leading during a pass that
// may mutate and cancels it as soon as it is false.
//
// Sharding: ShardRef(branch, K) is shard K's lease (run --shards N --shard-id K, one writer per
// shard). A ShardSet shares the N shard leases among replicas: each holds a member slot
// (MemberRef) so the others count it, takes free or expired shards up to its fair share
// (shard.Balance), and gives up its surplus by first stopping work on it, then renewing it for
// the margin, then releasing it.
package gitlease
