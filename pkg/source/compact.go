package source

import (
	"errors"
	"fmt"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

func (s *Source) maybeCompact() error {
	if s.dirtyOp < s.opts.CompactEvery {
		return nil
	}
	return s.compactLocked()
}

// Compact rewrites the cache as one pack holding only the current tips'
// commits and trees, and makes those tips the shallow boundary, like a fresh
// depth-1 clone. Fetch runs it every Options.CompactEvery operations.
//
// go-git's Repository.RepackObjects cannot be used here: its object walker
// follows every parent and fails with "object not found" at the shallow
// boundary. Cutting history also keeps push cost flat: go-git's push walks
// all local history reachable from the remote tip to decide what to send.
// Revisions older than the tips are dropped: Changed treats them as changed,
// Checkout.SpecDigest still compares them.
func (s *Source) Compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sanitize(s.compactLocked())
}

func (s *Source) compactLocked() error {
	r, err := s.open()
	if err != nil {
		return err
	}
	tips, keep, err := reachableFromTips(r)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	pos, ok := r.Storer.(storer.PackedObjectStorer)
	if !ok {
		return errors.New("compact: storage has no packs")
	}
	oldPacks, err := pos.ObjectPacks()
	if err != nil {
		return fmt.Errorf("compact: list packs: %w", err)
	}
	var newPack plumbing.Hash
	if len(keep) > 0 {
		if newPack, err = writePack(r, keep); err != nil {
			return fmt.Errorf("compact: %w", err)
		}
	}
	if err := r.Storer.SetShallow(tips); err != nil {
		return fmt.Errorf("compact: set shallow: %w", err)
	}
	for _, h := range oldPacks {
		if h == newPack {
			continue
		}
		if err := pos.DeleteOldObjectPackAndIndex(h, time.Time{}); err != nil {
			return fmt.Errorf("compact: delete pack %s: %w", h, err)
		}
	}
	if los, ok := r.Storer.(storer.LooseObjectStorer); ok {
		var loose []plumbing.Hash
		if err := los.ForEachObjectHash(func(h plumbing.Hash) error { loose = append(loose, h); return nil }); err != nil {
			return fmt.Errorf("compact: list loose objects: %w", err)
		}
		for _, h := range loose {
			if err := los.DeleteLooseObject(h); err != nil {
				return fmt.Errorf("compact: delete loose object %s: %w", h, err)
			}
		}
	}
	// Reopen so the storage forgets the deleted packs' indexes.
	s.repo, s.dirtyOp = nil, 0
	_, err = s.open()
	return err
}

// reachableFromTips collects every ref tip commit and all trees and blobs of
// their trees, without following parents.
func reachableFromTips(r *git.Repository) (tips, keep []plumbing.Hash, err error) {
	seen := map[plumbing.Hash]bool{}
	refs, err := r.Storer.IterReferences()
	if err != nil {
		return nil, nil, err
	}
	defer refs.Close()
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() != plumbing.HashReference || seen[ref.Hash()] {
			return nil
		}
		c, err := object.GetCommit(r.Storer, ref.Hash())
		if err != nil {
			return fmt.Errorf("read %s: %w", ref.Name(), err)
		}
		seen[c.Hash] = true
		keep = append(keep, c.Hash)
		if len(c.ParentHashes) > 0 {
			tips = append(tips, c.Hash)
		}
		return walkTree(r.Storer, c.TreeHash, seen, &keep)
	})
	return tips, keep, err
}

func walkTree(s storer.EncodedObjectStorer, h plumbing.Hash, seen map[plumbing.Hash]bool, keep *[]plumbing.Hash) error {
	if seen[h] {
		return nil
	}
	seen[h] = true
	*keep = append(*keep, h)
	t, err := object.GetTree(s, h)
	if err != nil {
		return fmt.Errorf("read tree %s: %w", h, err)
	}
	for _, e := range t.Entries {
		switch e.Mode {
		case filemode.Dir:
			if err := walkTree(s, e.Hash, seen, keep); err != nil {
				return err
			}
		case filemode.Submodule: // a commit in another repository: not stored here
		default:
			if !seen[e.Hash] {
				seen[e.Hash] = true
				*keep = append(*keep, e.Hash)
			}
		}
	}
	return nil
}

func writePack(r *git.Repository, objs []plumbing.Hash) (h plumbing.Hash, err error) {
	pw, ok := r.Storer.(storer.PackfileWriter)
	if !ok {
		return h, errors.New("storage cannot write packs")
	}
	w, err := pw.PackfileWriter()
	if err != nil {
		return h, fmt.Errorf("open pack: %w", err)
	}
	defer func() {
		if cerr := w.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close pack: %w", cerr)
		}
	}()
	h, err = packfile.NewEncoder(w, r.Storer, false).Encode(objs, 10)
	if err != nil {
		return h, fmt.Errorf("encode pack: %w", err)
	}
	return h, nil
}
