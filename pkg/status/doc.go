// Package status builds and renders what the reconciler writes back into the user's repository
// (docs/contracts.md §1, §5): status/<cluster>.yaml, machine-readable, and reports/<cluster>.md, for humans.
//
// Invariants:
//   - Build is pure: the caller passes the revision, the observed cluster, the plan, the apply
//     outcome and the time; nothing here reads a clock or does I/O.
//   - Rendering is deterministic and free of churn: no "last updated" timestamps, node ages are
//     written as creation times, and lists are sorted, so an idle loop renders identical bytes and
//     the writer commits nothing. The only times written are events' (a drift revert's, the last
//     observation of facts kept through a failing pass), which do not move while nothing happens.
//   - A failing pass never hides what is known: the facts an earlier pass observed are kept with
//     when they were observed, and what this pass could not compare (drift, versions) is Unknown.
//   - Reading back is bounded (ReadFiles): a status file over MaxFileSize (1 MiB), a symlink or
//     a special file is left out with an error for the log, never read. It counts as absent: a
//     status file only ever adds caution to the deletion rule, so ignoring one authorises nothing.
//   - Nothing rendered contains a credential: messages pass through the caller's sanitiser before
//     they get here, and Build never copies configuration values other than IDs and names.
package status
