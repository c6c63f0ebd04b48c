package source

import (
	"context"
	"fmt"
	"weak"

	"github.com/go-git/go-git/v5/plumbing"
)

// StatusTree fetches the target branch (TargetBranch) and returns its head's
// tree: the status and reports the reconciler last committed there. A loop
// that commits status to another branch than the specs reads its previous
// statuses here, since the source branch holds none of them.
//
// When the target branch does not exist on the remote yet it returns an error
// wrapping ErrBranchNotFound: the caller's statuses are then those of the
// source branch head, which the first Commit creates the target branch from.
// The head is not checked against VerifyKeyRing: it is the reconciler's own
// status commit, and its tree is read only under status/ and reports/.
func (s *Source) StatusTree(ctx context.Context) (*TreeFS, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	t, err := s.statusTree(ctx)
	return t, s.sanitize(err)
}

func (s *Source) statusTree(ctx context.Context) (*TreeFS, error) {
	if err := s.maybeCompact(); err != nil {
		return nil, err
	}
	r, err := s.open()
	if err != nil {
		return nil, err
	}
	head, err := s.fetchBranch(ctx, r, s.opts.TargetBranch)
	if err != nil {
		return nil, err
	}
	c, err := r.CommitObject(head)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", head, err)
	}
	t := &TreeFS{src: s, root: c.TreeHash, when: c.Committer.When}
	if s.live == nil {
		s.live = make(map[plumbing.Hash]weak.Pointer[TreeFS])
	}
	s.live[c.Hash] = weak.Make(t) // compaction keeps the tree while it is read
	return t, nil
}
