package source

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// ErrNoChanges is returned by Commit when the files asked for are already in
// the remote tip: no commit is made.
var ErrNoChanges = errors.New("source: no changes to commit")

// ErrBranchNotFound is returned (wrapped) when the source branch (Fetch), the
// ref asked for (FetchRef) or the target branch (StatusTree) does not exist on
// the remote.
var ErrBranchNotFound = errors.New("source: branch not found")

// ErrRepositoryNotFound is go-git's error (wrapped) when the remote has no repository at the
// URL (a typo, or a private one the credentials do not reach).
var ErrRepositoryNotFound = transport.ErrRepositoryNotFound

// ErrUnknownRevision is returned (wrapped) when a revision is not in the local
// cache (it was never fetched, or it was compacted away).
var ErrUnknownRevision = errors.New("source: revision not in cache")

// UnsignedCommitError says the fetched head is not signed by a trusted key.
// The checkout is not returned: the last good revision stays in force.
type UnsignedCommitError struct {
	Revision string
	Err      error // why verification failed
}

func (e *UnsignedCommitError) Error() string {
	return fmt.Sprintf("commit %s is not signed by a trusted key: %v", e.Revision, e.Err)
}

func (e *UnsignedCommitError) Unwrap() error { return e.Err }

// AuthError says the remote refused our credentials or we refused the remote's
// host key. Retrying without a configuration change will not help.
type AuthError struct {
	URL string // sanitized
	Err error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("authenticate to %s: %v", e.URL, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// PushRejectedError says the remote refused our update because its tip moved
// (someone pushed first). Commit retries these itself; it only returns one when
// every attempt lost the race.
type PushRejectedError struct {
	Branch   string
	Attempts int
	Err      error
}

func (e *PushRejectedError) Error() string {
	return fmt.Sprintf("push to %q rejected after %d attempts: %v", e.Branch, e.Attempts, e.Err)
}

func (e *PushRejectedError) Unwrap() error { return e.Err }

// IsPushRejected reports whether err is a rejected push that a rebuild on the
// new remote tip can fix.
//
// go-git v5 does not return a sentinel for these (git.ErrNonFastForwardUpdate
// only comes from Worktree.Pull): a client-side check returns a plain
// "non-fast-forward update: <ref>", the lease check returns "remote ref ...
// required to be ... but is ...", and a race lost on the server comes back as
// "command error on <ref>: failed to update ref" (or "failed to lock", or
// "reference already exists" when two writers create a branch). This is the one
// place that matches those texts.
func IsPushRejected(err error) bool {
	if err == nil {
		return false
	}
	var pr *PushRejectedError
	if errors.As(err, &pr) {
		return true
	}
	msg := err.Error()
	for _, s := range rejectionTexts {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

var rejectionTexts = []string{
	"non-fast-forward",
	"failed to update ref",
	"failed to lock",
	"cannot lock ref",
	"reference already exists",
	"required to be",
	"stale info",
	"fetch first",
}

// isAuthFailure reports whether err means the credentials or the host key were
// refused. Sentinels first; the ssh handshake errors come back as text.
func isAuthFailure(err error) bool {
	if errors.Is(err, transport.ErrAuthenticationRequired) ||
		errors.Is(err, transport.ErrAuthorizationFailed) ||
		errors.Is(err, transport.ErrInvalidAuthMethod) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "ssh: handshake failed") ||
		strings.Contains(msg, "ssh: unable to authenticate") ||
		strings.Contains(msg, "knownhosts:") ||
		strings.Contains(msg, "host key mismatch")
}
