package source

import (
	"context"
	"errors"
	"fmt"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// LeaseRefPrefix is the only namespace ReadRef and SwapRef touch: they can never move a branch.
const LeaseRefPrefix = "refs/reconciler/"

// leaseNamespace holds, in the cache, the refs ReadRef fetched.
const leaseNamespace = "refs/leases/"

// RefCommit is the commit a ref points at: its id and message. A zero RefCommit (Hash "") is an
// absent ref.
type RefCommit struct {
	Hash    string
	Message string
}

// ReadRef fetches ref name (under LeaseRefPrefix) from the remote and returns its commit, or a
// zero RefCommit when the remote has no such ref. A ref another writer moves between the
// listing and the fetch is read again, up to readRefAttempts times.
func (s *Source) ReadRef(ctx context.Context, name string) (RefCommit, error) {
	if err := checkLeaseRef(name); err != nil {
		return RefCommit{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	rc, err := s.readRef(ctx, name)
	return rc, s.sanitize(err)
}

func (s *Source) readRef(ctx context.Context, name string) (RefCommit, error) {
	if err := s.maybeCompact(); err != nil {
		return RefCommit{}, err
	}
	r, err := s.open()
	if err != nil {
		return RefCommit{}, err
	}
	ref := plumbing.ReferenceName(name)
	var h plumbing.Hash
	for attempt := 1; ; attempt++ {
		h, err = s.fetchRef(ctx, r, ref, localLeaseRef(name), name)
		if err == nil || !refMoved(err) {
			break
		}
		// The fetch lists the remote ref, then asks for its commit in a second request (smart
		// HTTP is stateless): another writer's swap in between leaves that parentless commit
		// unreachable. The ref is fine, only our listing is stale: list again.
		if attempt == readRefAttempts || ctx.Err() != nil {
			return RefCommit{}, fmt.Errorf("%s kept moving while it was read (%d attempts): %w", name, attempt, err)
		}
	}
	if errors.Is(err, ErrBranchNotFound) {
		return RefCommit{}, nil
	}
	if err != nil {
		return RefCommit{}, err
	}
	c, err := r.CommitObject(h)
	if err != nil {
		return RefCommit{}, fmt.Errorf("read commit %s: %w", h, err)
	}
	return RefCommit{Hash: h.String(), Message: c.Message}, nil
}

// SwapRef points ref name (under LeaseRefPrefix) at a new parentless commit of the empty tree
// whose message is message, only if the remote ref still is old ("" = absent): a compare-and-swap
// the server enforces in its ref transaction. It returns the new commit id; a lost race (the ref
// moved or appeared) is an error for which IsPushRejected is true, and is never retried here.
func (s *Source) SwapRef(ctx context.Context, name, old, message string) (string, error) {
	if err := checkLeaseRef(name); err != nil {
		return "", err
	}
	if old != "" && !plumbing.IsHash(old) {
		return "", fmt.Errorf("source: invalid old id %q for %s", old, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	h, err := s.swapRef(ctx, name, old, message)
	return h, s.sanitize(err)
}

func (s *Source) swapRef(ctx context.Context, name, old, message string) (string, error) {
	r, err := s.open()
	if err != nil {
		return "", err
	}
	tree, err := r.Storer.SetEncodedObject(emptyTree(r))
	if err != nil {
		return "", fmt.Errorf("store tree: %w", err)
	}
	sig := object.Signature{Name: DefaultAuthor.Name, Email: DefaultAuthor.Email, When: s.opts.Clock.Now()}
	c := &object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: tree}
	h, err := s.storeCommit(r, c, true)
	if err != nil {
		return "", err
	}
	dst := plumbing.ReferenceName(name)
	// As in push: "+" skips go-git's ancestry walk only; RequireRemoteRefs and the server's ref
	// transaction (old id checked) make it a compare-and-swap. Creating pushes without "+", so
	// the server refuses it if the ref appeared meanwhile.
	o := &git.PushOptions{RemoteName: remoteName, Auth: s.ep.auth,
		RefSpecs: []config.RefSpec{config.RefSpec(fmt.Sprintf("%s:%s", h, dst))}}
	if old != "" {
		o.RefSpecs = []config.RefSpec{config.RefSpec(fmt.Sprintf("+%s:%s", h, dst))}
		o.RequireRemoteRefs = []config.RefSpec{config.RefSpec(fmt.Sprintf("%s:%s", old, dst))}
	}
	err = s.remote(r).PushContext(ctx, o)
	switch {
	case err == nil:
	case IsPushRejected(err), old == "" && errors.Is(err, plumbing.ErrObjectNotFound):
		return "", &PushRejectedError{Branch: name, Attempts: 1, Err: err}
	case isAuthFailure(err):
		return "", &AuthError{URL: s.ep.display, Err: err}
	default:
		return "", fmt.Errorf("push %s to %s at %s: %w", h, name, s.ep.display, err)
	}
	if err := r.Storer.SetReference(plumbing.NewHashReference(localLeaseRef(name), h)); err != nil {
		return "", fmt.Errorf("update %s: %w", localLeaseRef(name), err)
	}
	return h.String(), nil
}

// readRefAttempts bounds ReadRef's list-and-fetch attempts when the ref moves in between.
const readRefAttempts = 4

// refMoved tells the fetch error of a commit the remote no longer has reachable: upload-pack's
// "not our ref" (git's server; go-git's transport does not wrap it, only its text remains), or
// the object missing.
func refMoved(err error) bool {
	return errors.Is(err, plumbing.ErrObjectNotFound) || strings.Contains(err.Error(), "not our ref") ||
		strings.Contains(err.Error(), plumbing.ErrObjectNotFound.Error())
}

func checkLeaseRef(name string) error {
	rest, ok := strings.CutPrefix(name, LeaseRefPrefix)
	if !ok || !validBranch(rest) {
		return fmt.Errorf("source: invalid lease ref %q (want %s<name>)", name, LeaseRefPrefix)
	}
	return nil
}

func localLeaseRef(name string) plumbing.ReferenceName {
	return plumbing.ReferenceName(leaseNamespace + strings.TrimPrefix(name, LeaseRefPrefix))
}
