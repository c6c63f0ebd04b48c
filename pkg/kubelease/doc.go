// Package kubelease makes one `reconciler run` process the writer among its replicas: a
// coordination.k8s.io/v1 Lease held through client-go's leaderelection. An Elector implements
// runner.Leadership: Leading is true between OnStartedLeading and OnStoppedLeading, and the
// runner applies and commits only then (a follower still fetches and plans).
//
// Invariants:
//   - Leading is false until the Lease is acquired, and false again as soon as the elector stops
//     renewing it (renew deadline passed, or Run's context done). The renew deadline is shorter
//     than the lease duration, so a leader stops leading before another replica may take over;
//     Leading also requires a successful write of our record within the renew deadline, and
//     drops before the release is written, so it is never true once another may acquire.
//   - Run releases the Lease when its context ends (ReleaseOnCancel), so a clean shutdown hands
//     over at once instead of after a lease duration. Cancel it only after the runner's loop
//     returned: a tick in flight still writes under the lease.
//   - After losing the Lease, Run campaigns again (the process stays a follower meanwhile).
//   - A pass that started while leading is cancelled when the lease is lost during it: the
//     runner checks Leading every LeaseCheck (100 ms) and commits nothing from that pass.
//
// A ShardSet shares N shard Leases (<name>-shard-K) among replicas (run --shards N
// --leader-elect) and implements runner.Sharding. Each replica keeps a member Lease so the others
// count it, takes free or expired shards up to its fair share (shard.Balance), and gives up its
// surplus when replicas join: it stops working on a shard at once and releases its Lease only
// after lease duration − renew deadline, the margin a crashed holder leaves too. A shard is held
// while its Lease was renewed within the renew deadline; another replica takes it only after it
// went unrenewed for the lease duration (on its own clock), so no shard ever has two writers.
package kubelease
