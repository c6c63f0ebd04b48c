package source

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// checkOwnedPaths refuses any path outside status/ and reports/, and any path
// git could not store as given.
func checkOwnedPaths(files map[string][]byte) error {
	if len(files) == 0 {
		return fmt.Errorf("source: commit needs at least one file")
	}
	for p := range files {
		if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
			return fmt.Errorf("source: invalid path %q", p)
		}
		parts := strings.Split(p, "/")
		if len(parts) < 2 || !isOwnedTop(parts[0]) {
			return fmt.Errorf("source: path %q is outside %s/", p, strings.Join(OwnedDirs, "/, "))
		}
		for _, part := range parts {
			if part == "." || part == ".." || strings.EqualFold(part, ".git") || strings.ContainsRune(part, 0) {
				return fmt.Errorf("source: invalid path %q", p)
			}
		}
	}
	return nil
}

// change is one directory level of the requested edits: files to write
// (nil content = delete) and subdirectories.
type change struct {
	files map[string][]byte
	dirs  map[string]*change
}

func changesOf(files map[string][]byte) *change {
	root := &change{}
	for p, b := range files {
		parts := strings.Split(p, "/")
		c := root
		for _, d := range parts[:len(parts)-1] {
			if c.dirs == nil {
				c.dirs = map[string]*change{}
			}
			next, ok := c.dirs[d]
			if !ok {
				next = &change{}
				c.dirs[d] = next
			}
			c = next
		}
		if c.files == nil {
			c.files = map[string][]byte{}
		}
		c.files[parts[len(parts)-1]] = b
	}
	return root
}

// applyChanges writes new blobs and the trees along the changed paths on top
// of base (ZeroHash = empty) and returns the new tree's hash. Untouched
// subtrees are reused by hash, so the cost follows the change, not the repo.
// empty reports a tree with no entries left (its parent drops it).
func applyChanges(s storer.EncodedObjectStorer, base plumbing.Hash, c *change) (h plumbing.Hash, empty bool, err error) {
	entries := map[string]object.TreeEntry{}
	if !base.IsZero() {
		t, err := object.GetTree(s, base)
		if err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("read tree %s: %w", base, err)
		}
		for _, e := range t.Entries {
			entries[e.Name] = e
		}
	}
	for name, content := range c.files {
		if content == nil {
			delete(entries, name)
			continue
		}
		bh, err := writeBlob(s, content)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: bh}
	}
	for name, sub := range c.dirs {
		var subBase plumbing.Hash
		if e, ok := entries[name]; ok && e.Mode == filemode.Dir {
			subBase = e.Hash
		}
		sh, subEmpty, err := applyChanges(s, subBase, sub)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		if subEmpty {
			delete(entries, name)
			continue
		}
		entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: sh}
	}
	if len(entries) == 0 {
		return plumbing.ZeroHash, true, nil
	}
	t := &object.Tree{Entries: make([]object.TreeEntry, 0, len(entries))}
	for _, e := range entries {
		t.Entries = append(t.Entries, e)
	}
	slices.SortFunc(t.Entries, func(a, b object.TreeEntry) int {
		return strings.Compare(gitSortKey(a), gitSortKey(b))
	})
	obj := s.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("encode tree: %w", err)
	}
	h, err = s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("store tree: %w", err)
	}
	return h, false, nil
}

// gitSortKey orders tree entries as git does: byte order, with directories
// compared as if their name ended in "/".
func gitSortKey(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

func writeBlob(s storer.EncodedObjectStorer, b []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(b)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store blob: %w", err)
	}
	return h, nil
}
