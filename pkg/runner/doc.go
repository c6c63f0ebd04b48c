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
package runner
