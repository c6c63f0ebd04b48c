// Package backoff is the reconciler's one way to retry and to wait: an exponential backoff with
// a cap and equal jitter, bounded by a number of tries, that honours a server's Retry-After,
// pauses on an injected clock and stops when the context ends.
//
// Invariants:
//   - Default is the retry policy of one Scaleway API call and is written only here: the
//     commands' --retry-* flags default to it, run and demo leave it at its zero value, which
//     every user resolves to Default. A retry of something else (a rejected push, a refused
//     eviction) states its own Policy next to the loop, in the same terms.
//   - A request is retried at exactly one layer: the Scaleway adapter retries its reads (GET),
//     apply retries its mutations, and nothing wraps a call that already retries in another
//     loop (a retry of a retry multiplies the tries, 5 × 8 = 40 for one GET).
//   - The pause after the n-th consecutive failure lies in [d/2, d], d = min(Max, Base·2ⁿ⁻¹):
//     "equal jitter", half fixed so that no retry comes too early, half random so that parallel
//     callers spread out. A Retry-After longer than the pause replaces it.
//   - Time is the injected clock's (clock.Clock.NewTimer, stopped after use): tests step a fake
//     clock and never sleep.
//
// k8s.io/apimachinery/pkg/util/wait was the alternative: its Backoff adds its jitter above the
// delay (so no lower half is guaranteed), knows nothing of Retry-After, and its retry loops count
// steps by mutating the Backoff; the few lines here keep the product's semantics in one place.
package backoff
