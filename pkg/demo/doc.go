// Package demo is `reconciler demo`, the embedded default: it starts the Scaleway API emulator
// in-process with short but realistic timings, lays examples/ out as a local Git repository
// served like a real remote, and runs the real `run` loop (pkg/runner, the same code as
// production) against both, narrating what happens: provisioning, a chained minor upgrade that
// waits for its window, a drift made out of band and reverted, and the status and report commits
// written back. The only thing the demo does that production does not is play the user: it
// pushes commits, changes the emulator behind the reconciler's back, and moves the clock to the
// upgrade window.
package demo
