// Package source is the git side of the reconciler: it fetches the desired
// state from a branch and writes status and reports back to the repository.
// It is the only package that imports go-git.
//
// Invariants:
//   - The cache is a bare, shallow (depth 1), single-branch repository on disk,
//     kept between ticks (FetchRef, for previews, adds refs under refs/fetched/). There is never a worktree: specs are read straight
//     from the commit tree (TreeFS) and commits are built from tree objects.
//   - Credentials never leave this package in text: URLs are stripped of their
//     user info before go-git sees them, auth travels as an AuthMethod, and every
//     returned error passes through SanitizeError.
//   - Commit only writes paths under status/ and reports/, never creates an empty
//     commit (ErrNoChanges), and never overwrites a remote commit: it pushes with
//     a lease on the tip it built on and, when rejected, rebuilds the same files
//     on the new tip and retries with jittered backoff (Options.PushRetry).
//   - SwapRef only moves refs under refs/reconciler/ (the git lease), never a branch, and only as
//     a compare-and-swap on the id the caller read (ReadRef); it never retries a lost race.
//   - A change that touches only status/ and reports/ is not a spec change
//     (Changed, Checkout.SpecDigest), so the reconciler never triggers itself.
//   - An unknown SSH host key is always refused: ssh needs a known_hosts file or
//     a pinned host key.
//   - A Source serializes its own operations; one cache directory belongs to one
//     Source (one process) at a time: LockCache takes a flock on it, and a second
//     Source on the same cache is refused (CacheLockedError).
package source
