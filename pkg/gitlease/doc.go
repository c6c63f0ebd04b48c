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
// The lease guards the start of each pass (runner.Leadership): a pass that started while leading
// runs to its end.
package gitlease
