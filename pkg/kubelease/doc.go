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
//   - A tick that started while leading finishes even if the lease is lost during it: the
//     runner checks Leading once per tick.
package kubelease
