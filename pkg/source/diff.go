package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// OwnedDirs are the top-level directories the reconciler writes. Changes under
// them are never spec changes, and Commit writes nowhere else.
var OwnedDirs = []string{"status", "reports"}

func isOwnedTop(name string) bool { return slices.Contains(OwnedDirs, name) }

// specDigest hashes the root tree's entries except the owned directories. A
// tree entry's hash covers its whole subtree, so the top level is enough.
func specDigest(root *object.Tree) string {
	h := sha256.New()
	for _, e := range root.Entries { // git order: deterministic
		if isOwnedTop(e.Name) {
			continue
		}
		fmt.Fprintf(h, "%o %s %s\n", uint32(e.Mode), e.Name, e.Hash)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// diffSpecTrees lists the file paths that differ between two root trees,
// skipping the owned directories. It descends only into subtrees whose hashes
// differ, so its cost follows the size of the change, not of the repository.
func diffSpecTrees(ctx context.Context, from, to *object.Tree) ([]string, error) {
	var out []string
	if err := diffTrees(ctx, from, to, "", &out); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

func diffTrees(ctx context.Context, a, b *object.Tree, dir string, out *[]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ae, be := entryMap(a), entryMap(b)
	names := make([]string, 0, len(ae)+len(be))
	for n := range ae {
		names = append(names, n)
	}
	for n := range be {
		if _, ok := ae[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if dir == "" && isOwnedTop(n) {
			continue
		}
		x, inA := ae[n]
		y, inB := be[n]
		if inA && inB && x.Hash == y.Hash && x.Mode == y.Mode {
			continue
		}
		p := path.Join(dir, n)
		xa, ya := inA && x.Mode == filemode.Dir, inB && y.Mode == filemode.Dir
		if !xa && !ya {
			*out = append(*out, p)
			continue
		}
		var sa, sb *object.Tree
		var err error
		if xa {
			if sa, err = a.Tree(n); err != nil {
				return fmt.Errorf("read tree %s: %w", p, err)
			}
		} else if inA {
			*out = append(*out, p) // a file replaced by a directory
		}
		if ya {
			if sb, err = b.Tree(n); err != nil {
				return fmt.Errorf("read tree %s: %w", p, err)
			}
		} else if inB {
			*out = append(*out, p) // a directory replaced by a file
		}
		if err := diffTrees(ctx, sa, sb, p, out); err != nil {
			return err
		}
	}
	return nil
}

func entryMap(t *object.Tree) map[string]object.TreeEntry {
	if t == nil {
		return nil
	}
	m := make(map[string]object.TreeEntry, len(t.Entries))
	for _, e := range t.Entries {
		m[e.Name] = e
	}
	return m
}
