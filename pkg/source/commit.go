package source

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Commit writes files (paths under status/ or reports/; nil content deletes a
// path, an empty slice writes an empty file) on top of the current remote tip
// of the target branch and pushes the result. It returns the new revision, or
// ErrNoChanges when the tip already holds exactly these contents (no commit is
// made). Deciding whether a change is substantial (no timestamp churn) is the
// caller's job.
//
// A push rejected because the tip moved is rebuilt on the new tip with the
// same files and retried with jittered exponential backoff (pkg/backoff), up to
// Options.PushRetry.Attempts rounds (*PushRejectedError after that). When the target
// branch does not exist yet, it is created from the source branch head.
func (s *Source) Commit(ctx context.Context, files map[string][]byte, message string, author Author) (string, error) {
	if err := checkOwnedPaths(files); err != nil {
		return "", err
	}
	if author.Name == "" || author.Email == "" {
		author = DefaultAuthor
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rev, err := s.commitWithRetry(ctx, changesOf(files), message, author)
	return rev, s.sanitize(err)
}

func (s *Source) commitWithRetry(ctx context.Context, ch *change, msg string, author Author) (string, error) {
	var rev string
	var last error // the last rejection
	attempt := 0
	err := backoff.Retry{
		Policy: s.opts.PushRetry, Clock: s.opts.Clock, Jitter: s.opts.Rand, Retryable: IsPushRejected,
		OnRetry: func(n int, _ time.Duration, _ error) {
			s.opts.Log.InfoContext(ctx, "push rejected, rebuilding on the new tip", "branch", s.opts.TargetBranch, "attempt", n)
		},
	}.Do(ctx, func() error {
		attempt++
		var err error
		rev, err = s.commitOnce(ctx, ch, msg, author)
		if IsPushRejected(err) {
			last = err
		}
		return err
	})
	var ex *backoff.ExhaustedError
	switch {
	case err == nil:
		s.opts.Log.DebugContext(ctx, "status committed", "branch", s.opts.TargetBranch, "revision", rev, "attempt", attempt)
		return rev, nil
	case errors.As(err, &ex):
		return "", &PushRejectedError{Branch: s.opts.TargetBranch, Attempts: ex.Attempts, Err: last}
	case ctx.Err() != nil && last != nil:
		return "", fmt.Errorf("commit to %q: %w (last rejection: %v)", s.opts.TargetBranch, err, last)
	}
	return "", err
}

// commitOnce is one fetch-build-push round, under its own timeout.
func (s *Source) commitOnce(ctx context.Context, ch *change, msg string, author Author) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if err := s.maybeCompact(); err != nil {
		return "", err
	}
	r, err := s.open()
	if err != nil {
		return "", err
	}
	target := s.opts.TargetBranch
	base, err := s.fetchBranch(ctx, r, target)
	creating := false
	if errors.Is(err, ErrBranchNotFound) && target != s.opts.Branch {
		creating = true
		base, err = s.fetchBranch(ctx, r, s.opts.Branch)
	}
	if err != nil {
		return "", err
	}
	parent, err := r.CommitObject(base)
	if err != nil {
		return "", fmt.Errorf("read commit %s: %w", base, err)
	}
	tree, empty, err := applyChanges(r.Storer, parent.TreeHash, ch)
	if err != nil {
		return "", err
	}
	if empty {
		if tree, err = r.Storer.SetEncodedObject(emptyTree(r)); err != nil {
			return "", fmt.Errorf("store tree: %w", err)
		}
	}
	if tree == parent.TreeHash && !creating {
		return "", ErrNoChanges
	}
	now := s.opts.Clock.Now()
	sig := object.Signature{Name: author.Name, Email: author.Email, When: now}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: []plumbing.Hash{base}}
	if creating && tree == parent.TreeHash {
		// A new target branch with nothing new: point it at the source head.
		c = parent
	}
	h, err := s.storeCommit(r, c, !(creating && tree == parent.TreeHash))
	if err != nil {
		return "", err
	}
	if err := s.push(ctx, r, h, base, creating); err != nil {
		return "", err
	}
	// The tracking ref now matches the remote: the next fetch wants nothing.
	if err := r.Storer.SetReference(plumbing.NewHashReference(trackingRef(target), h)); err != nil {
		return "", fmt.Errorf("update tracking ref: %w", err)
	}
	return h.String(), nil
}

// push sends commit h to the target branch as a compare-and-swap on base.
//
// The leading "+" only skips go-git's client-side ancestry walk (which fails
// with "object not found" on a shallow cache when the remote moved); it does
// not overwrite anything: RequireRemoteRefs refuses the push unless the
// advertised tip is still base, and the server applies the update only if the
// ref still holds that old id (git's ref transaction). h's parent is base, so
// the update is a fast-forward in any case. Creating a branch pushes without
// "+": go-git refuses it if the branch appeared meanwhile.
func (s *Source) push(ctx context.Context, r *git.Repository, h, base plumbing.Hash, creating bool) error {
	dst := plumbing.NewBranchReferenceName(s.opts.TargetBranch)
	o := &git.PushOptions{
		RemoteName: remoteName,
		Auth:       s.ep.auth,
		RefSpecs:   []config.RefSpec{config.RefSpec(fmt.Sprintf("+%s:%s", h, dst))},
		RequireRemoteRefs: []config.RefSpec{
			config.RefSpec(fmt.Sprintf("%s:%s", base, dst)),
		},
	}
	if creating {
		o.RefSpecs = []config.RefSpec{config.RefSpec(fmt.Sprintf("%s:%s", h, dst))}
		o.RequireRemoteRefs = nil
	}
	err := s.remote(r).PushContext(ctx, o)
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case IsPushRejected(err):
		return fmt.Errorf("push %s to %q: %w", h, s.opts.TargetBranch, err)
	case creating && errors.Is(err, plumbing.ErrObjectNotFound):
		// The branch appeared meanwhile and go-git's ancestry walk hit the
		// shallow boundary: a lost race like any other.
		return &PushRejectedError{Branch: s.opts.TargetBranch, Attempts: 1, Err: err}
	case isAuthFailure(err):
		return &AuthError{URL: s.ep.display, Err: err}
	}
	return fmt.Errorf("push %s to %q at %s: %w", h, s.opts.TargetBranch, s.ep.display, err)
}

// storeCommit signs c (when sign and a Signer is set), then stores it in the cache.
func (s *Source) storeCommit(r *git.Repository, c *object.Commit, sign bool) (plumbing.Hash, error) {
	if sign && s.opts.Signer != nil {
		if err := s.opts.Signer.sign(c); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	obj := r.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode commit: %w", err)
	}
	h, err := r.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store commit: %w", err)
	}
	s.dirtyOp++
	return h, nil
}

func emptyTree(r *git.Repository) plumbing.EncodedObject {
	obj := r.Storer.NewEncodedObject()
	_ = (&object.Tree{}).Encode(obj) // an empty tree always encodes
	return obj
}
