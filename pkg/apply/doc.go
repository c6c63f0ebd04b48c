// Package apply executes a plan against a cloud.Provider: the only place where the reconciler's
// changes to live clusters happen.
//
// Invariants:
//   - Each cluster's actions run in plan order; clusters run in parallel, at most Concurrency at
//     once. A terminal error stops that cluster's remaining actions (they are reported not-run);
//     other clusters continue.
//   - Every action is re-checked against a fresh observation before it mutates: what is already
//     satisfied is skipped (outcome skipped), so a crashed or killed apply is safe to run again with
//     no state file and no duplicate cluster or pool.
//   - Before a cluster's first action the live state is compared with the state the plan was based
//     on; a change that matters refuses the whole cluster with *StalePlanError (nothing is done).
//   - Transient errors (409 transient_state, 429, 5xx, network) of a mutation are retried under
//     Options.Retry (pkg/backoff: bounded exponential backoff with jitter), after a fresh
//     observation; reads are not retried here, the provider retries each of its own, so a request
//     is retried at one layer only. Waits poll on the injected clock with a timeout per action
//     type. The package never sleeps on the wall clock and never prints: progress goes to the
//     Progress callback, operator detail to the injected *slog.Logger.
//
// rotate-node actions go to the NodeRotator. A *RotationSkippedError from it (a drain held by a
// PodDisruptionBudget under onDrainTimeout: skip) makes the action skipped with its reason and
// does not fail the cluster; a *RotationAbortedError (onDrainTimeout: abort) fails the action,
// marks the pool's remaining rotate-node actions not-run and lets the cluster's other actions go
// on; the cluster then ends failed with it.
//
// replace-pool (replace.go) creates the new pool tagged with the old pool's id, waits until it
// is ready in the API and its nodes Ready in Kubernetes, cordons every node of the old pool and
// marks it replaced-by, drains them through the PoolDrainer (the rotator's drain: Eviction API,
// PodDisruptionBudgets, the pool's drainTimeout/onDrainTimeout and budget; no drain starts after
// the window closes), marks it drained, then deletes it. Each step is re-checked on a fresh
// observation, and the marks let the next plan resume after a crash. Without a PoolDrainer a
// replacement with nodes to drain fails closed before any change.
package apply
