// Package drain empties a Kubernetes node before the reconciler replaces it.
//
// It is the only package that talks to a workload cluster's API for node
// rotation (client-go). A Drainer cordons the node, lists the pods bound to
// it, skips those a drain must not touch (DaemonSet-owned, mirror/static,
// already terminating, completed), evicts the rest through the Eviction API
// (policy/v1, so PodDisruptionBudgets are honoured), retries evictions the
// API refuses (429) with backoff (pkg/backoff), and waits until the evicted pods are gone.
//
// Invariants:
//   - Every API call is bounded by Options.CallTimeout (client-go silently
//     retries 429 responses carrying Retry-After up to ten times; a context
//     deadline is the only bound), and the whole drain by Options.Timeout.
//   - Pods are never deleted directly, except by OnTimeoutForce after the
//     drain timeout. Evictions pass no grace period, so each pod's own
//     terminationGracePeriodSeconds applies.
//   - On timeout with skip or abort, and when the caller cancels, the node is
//     uncordoned again unless it was already cordoned before the drain began
//     (an operator's cordon is left alone). abort differs from skip only in
//     its error (*AbortError): it tells the caller to stop the pool's
//     rotation. A node is never left cordoned by a drain that gave up.
//   - Time comes from the injected clock (backoff, drain deadline, polling);
//     the per-call deadlines are real-time I/O bounds.
//   - Nothing is printed: progress goes to Drainer.Log (slog) and
//     Drainer.OnEvent; outcomes come back in *Result and typed errors.
//     Lists in results are sorted (namespace, then name).
package drain
