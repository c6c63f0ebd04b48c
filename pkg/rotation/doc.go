// Package rotation decides which nodes of a pool are replaced because of their age, when, and why
// every other node is left alone (docs/contracts.md §2 rotation fields, §7 fail closed). It is pure:
// no I/O, no clock, no logging; `now` is always an argument. The drainer and the rotate command do
// the work; this package only decides and explains.
//
// # Policy
//
// ResolvePolicy turns a pool's spec.Rotation into a Policy with defaults: enabled, maxAge 720h,
// budget 1, drainTimeout 30m, onDrainTimeout skip, deadline maxAge+168h, no window (any time).
// An invalid window, budget or other field does not error: the Policy carries Problems and
// every decision on it is "rotate nothing", reported with the problem's reason (invalid-window,
// invalid-budget, invalid-policy). That is the fail-closed rule of docs/contracts.md §7.
//
// # Budget: a concurrency limit
//
// The budget is how many nodes of the pool may be out of service at the same instant, like a
// PodDisruptionBudget's maxUnavailable or karpenter's disruption budgets; it is not a count per
// window. A percentage is of the pool's current node count, rounded up, at least 1. The effective
// limit is min(budget, upgradePolicy.maxUnavailable+upgradePolicy.maxSurge): the pool's own
// upgrade policy says how many of its nodes may be in replacement at once during an upgrade, and a
// rotation is a replacement, so the stricter of the two wins (a live policy of 0+0 cannot be set
// through the API and is read as "not reported", leaving the budget alone). Every node of the pool
// that is not `ready` counts against the limit: nodes in a transition (creating, deleting,
// upgrading, rebooting, starting, registering: "in flight") and broken ones alike, since either
// way their capacity is missing. Why concurrency and not a per-window count: the budget protects
// capacity, which is an instantaneous quantity, and a per-window count would neither bound
// simultaneous disruption nor let an overdue node be rotated without breaking the budget.
//
// # Soft schedule and hard deadline
//
// Concurrency alone would let a long window chew through a whole backlog one node after another.
// So each node due for rotation gets a target opening (its slot), computed deterministically:
//   - A node is eligible for the first opening that starts at or after it became due
//     (CreatedAt+maxAge); a node that becomes due while a window is open waits for the next one.
//     Decisions therefore depend on the state at an opening's start, and the calendar can say in
//     advance which opening replaces which node.
//   - Nodes are placed oldest first (CreatedAt, then name) into the earliest eligible opening that
//     starts before their deadline (CreatedAt+deadline) and holds fewer than L nodes. L is the
//     smallest load per opening, between 1 and the budget, that places as many nodes before their
//     deadline as the budget itself would: the backlog is levelled across the openings between due
//     time and deadline instead of firing at the first one. Since every node has the same
//     deadline offset, oldest-first earliest-fit is optimal: if any placement with at most L nodes
//     per opening meets every deadline, this one does.
//   - A node that cannot be placed before its deadline is forced into the first opening that
//     starts at or after its deadline, regardless of L (reason node-past-deadline). It still
//     respects the concurrency limit at every instant: forced nodes go one budget-full after
//     another within that opening. This is the hard deadline: an overdue node waits for a window,
//     never for the soft schedule.
//   - Nodes created inside the current opening (replacements done earlier in this opening, or a
//     scale-up: we cannot tell them apart, so this errs on the side of less disruption) count
//     against its load, so that calling Candidates again later in the same opening does not pick
//     a new batch. A node whose slot was missed (blocked, not ready) is simply placed again on the
//     next pass.
//   - The schedule looks DefaultHorizon (30 days) ahead: the nodes due by then take part in the
//     levelling. Inside an opening the look-ahead starts at the opening's start, not at now, so
//     that every pass of one opening sees the same problem and picks the same nodes.
//
// Without a window the pool may rotate at any time; the soft schedule then spreads over UTC days
// (each day is an opening), so the same rules hold.
//
// Nodes are considered only when ready, in a ready pool of a ready cluster. Candidates is meant to
// be called at every pass while a window is open: it is idempotent over a stable live state.
//
// # Calendar
//
// BuildCalendar forecasts, over a horizon (30 days by default), every opening and the nodes each
// will replace, and lists the nodes due in the horizon that no opening in it replaces. It replays
// Candidates opening by opening: the nodes the schedule puts in an opening at its start are
// replaced during it and come back as fresh nodes, which stay in the schedule's look-ahead (they
// can raise the level) but do not reappear in the calendar. So the calendar is what the passes
// will do (a test replays passes every 5 minutes and compares), provided the pool changes only by
// those rotations and every replacement finishes inside its opening.
//
// # DST
//
// Openings are robfig/cron firings in the window's time zone (pkg/window). When clocks go back,
// robfig/cron fires at both occurrences of a repeated local time and pkg/window merges them (and
// reports the first as the opening's start all along, which the load count above relies on): a
// "0 2 * * SUN" 3h window in Europe/Paris on 2026-10-25 opens at 02:00 CEST and closes at 05:00
// CET (4h of elapsed time). When clocks go forward and the local start time does not exist,
// robfig/cron does not fire that day: the same window has no opening on 2026-03-29; due nodes wait
// for the next Sunday and the calendar shows it.
package rotation
