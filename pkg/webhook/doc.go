// Package webhook receives push webhooks from GitHub and Gitea, verifies
// their HMAC-SHA256 signature against a shared secret, and asks the
// reconcile loop to run at once when the watched branch moved. With
// OnPullRequest set, signed pull_request events into the watched branch
// (opened, reopened, edited, new commits) ask for a plan preview.
//
// Invariants: a secret is required (New refuses an empty one, so an
// unauthenticated endpoint can never be started); signatures are compared in
// constant time over the exact request body; the trigger is called without
// blocking the request; nothing from the request is trusted before the
// signature checks out. What an unsigned request can cost before that check
// is bounded (Limits): its body is capped (refused from Content-Length when
// declared larger, read at most one byte past the cap otherwise) and read
// under a deadline, and a fixed number of requests are in flight at once,
// the others refused without waiting.
package webhook
