// Package engine builds what every entry point runs on — the Scaleway provider (the adapter), the
// executor with its node rotator, and the reconciler or loop around them — from one Config. The
// commands (plan, apply, rotate, preview), `run` and the demo all use it, so they share one retry
// policy (each request retried at one layer: the adapter its reads, apply its mutations, the
// drainer its evictions), one rotator wiring and node rotation in every plan.
package engine
