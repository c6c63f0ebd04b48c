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
// signature checks out.
package webhook
