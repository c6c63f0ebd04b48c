// Package runner is the `reconciler run` loop: it pulls the Git source, validates it, runs an
// observe → plan → apply pass when something calls for one, and commits status and reports back.
//
// A pass is called for when the specs changed (the spec digest ignores status/ and reports/, so
// the loop never triggers itself), when the drift interval has elapsed since the last
// observation, when an upgrade or rotation window is open or its cron schedule just fired, when
// a webhook says the branch moved, or when the previous pass failed in a way a retry can fix (a
// transient error or a stale plan; a terminal failure waits for a new revision or the drift
// interval).
// Otherwise a tick only fetches.
//
// Invariants:
//   - A revision that fails validation is never applied, not even in part: the last good
//     revision stays in force (drift is still reverted and nodes still rotated from it) and every
//     cluster's status names the failed commit and all of its errors.
//   - Status and reports are committed only when their content changed (source.ErrNoChanges
//     otherwise), and they carry no timestamps that move on their own, so an idle loop writes
//     nothing.
//   - Before its first pass the loop reads the previous statuses (the last applied specs the
//     deletion rule needs, history, observedRevision) from where it commits them: the fetched
//     spec tree, or the status branch's head when status goes to another branch. When they
//     cannot be read, no pass runs; the next tick tries again.
//   - Credentials never reach a log line, a status file or a commit: errors from the source are
//     sanitised there, and this package writes only names, IDs and API messages.
//   - With Leader or Shards set, a pass that may mutate checks every LeaseCheck that this process
//     still leads and holds the shards it started with; when not, the pass's context is cancelled
//     (ErrLeadershipLost) before the next mutation and nothing of the pass is committed.
//   - With Shards set, a tick works on the clusters of the shards held at its start only
//     (shard.Key of region and name, reconcile.Reconciler.Keep: the provider reads the children
//     of those clusters only): the observed snapshots, the specs, the deletion record, the
//     previous statuses and the status files written are all limited to them, so shards never
//     plan, delete, report or write each other's clusters. status/_repository.yaml is written by
//     the holder of shard 0 only. Holding no shard, a tick fetches and does nothing else.
//   - Rollout waves hold across shards (rollout.go): the plan's fleet view also has the other
//     shards' specs, never planned here, with the facts their replicas recorded in their status
//     files (read afresh each tick); facts missing, written for other specs or checked more than
//     WaveFactsMaxAge ago hold the higher waves (wave-pending, naming the cluster).
package runner
