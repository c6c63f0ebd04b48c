package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

// TreeFS is a read-only fs.FS over one commit's tree, read from the cache's
// object store without a worktree. It implements fs.ReadDirFS, fs.ReadFileFS
// and fs.StatFS. Entries carry the commit time as ModTime. Symlinks appear as
// fs.ModeSymlink entries and submodules as fs.ModeIrregular entries (in ReadDir
// and Stat), and are refused, as repofs.Dir refuses them: opening or reading one,
// or a path through one, fails with repofs.ErrSymlink or repofs.ErrNotRegular,
// and a link's target is never read.
//
// A TreeFS stays readable for as long as the caller holds it: every read goes
// through the Source's current storage (one at a time with its other
// operations), and compaction keeps the trees of checkouts still referenced.
type TreeFS struct {
	src  *Source
	root plumbing.Hash
	when time.Time
	// trees are the directory trees decoded so far, by id (a tree's content never changes), so a
	// walk of a directory of n files decodes it once, not n times. Guarded by src.mu.
	trees map[plumbing.Hash]*object.Tree
}

var (
	_ fs.ReadDirFS  = (*TreeFS)(nil)
	_ fs.ReadFileFS = (*TreeFS)(nil)
	_ fs.StatFS     = (*TreeFS)(nil)
)

// Open implements fs.FS.
func (t *TreeFS) Open(name string) (fs.File, error) {
	var f fs.File
	err := t.with("open", name, func(s storer.EncodedObjectStorer, info *entryInfo, tree *object.Tree) error {
		if tree != nil {
			f = &treeDir{info: info, entries: t.entries(tree), name: name}
			return nil
		}
		b, err := readBlob(s, info)
		if err != nil {
			return err
		}
		f = &treeFile{info: info, r: bytes.NewReader(b)}
		return nil
	})
	return f, err
}

// ReadFile implements fs.ReadFileFS.
func (t *TreeFS) ReadFile(name string) ([]byte, error) {
	var b []byte
	err := t.with("readfile", name, func(s storer.EncodedObjectStorer, info *entryInfo, tree *object.Tree) error {
		if tree != nil {
			return fs.ErrInvalid
		}
		var err error
		b, err = readBlob(s, info)
		return err
	})
	return b, err
}

// ReadDir implements fs.ReadDirFS: entries sorted by name.
func (t *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	err := t.with("readdir", name, func(_ storer.EncodedObjectStorer, _ *entryInfo, tree *object.Tree) error {
		if tree == nil {
			return errors.New("not a directory")
		}
		out = t.entries(tree)
		return nil
	})
	return out, err
}

// Stat implements fs.StatFS.
func (t *TreeFS) Stat(name string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := t.with("stat", name, func(_ storer.EncodedObjectStorer, info *entryInfo, _ *object.Tree) error {
		fi = info
		return nil
	})
	return fi, err
}

// with resolves name under the Source's lock and calls fn with the entry and,
// for a directory, its tree. fn's error becomes a *fs.PathError.
func (t *TreeFS) with(op, name string, fn func(storer.EncodedObjectStorer, *entryInfo, *object.Tree) error) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	t.src.mu.Lock()
	defer t.src.mu.Unlock()
	r, err := t.src.open()
	if err != nil {
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	s := r.Storer
	getTree := func(h plumbing.Hash) (*object.Tree, error) {
		if tr, ok := t.trees[h]; ok {
			return tr, nil
		}
		tr, err := object.GetTree(s, h)
		if err != nil {
			return nil, err
		}
		if t.trees == nil {
			t.trees = map[plumbing.Hash]*object.Tree{}
		}
		t.trees[h] = tr
		return tr, nil
	}
	root, err := getTree(t.root)
	if err != nil {
		return &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("read tree %s: %w", t.root, err)}
	}
	if name == "." {
		info := &entryInfo{entry: object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: t.root}, fsys: t}
		return pathErr(op, name, fn(s, info, root))
	}
	e, sub, err := resolve(root, getTree, op, name)
	if err != nil {
		return err
	}
	return pathErr(op, name, fn(s, &entryInfo{entry: *e, fsys: t}, sub))
}

// resolve finds name's entry one element at a time, and its tree for a
// directory. A path through a symlink or a submodule is refused at that element
// with repofs.ErrSymlink or repofs.ErrNotRegular (go-git would look the link's
// blob up as a tree).
// getTree reads a tree by id (the decoded trees are kept: FindEntry indexes a tree once).
func resolve(root *object.Tree, getTree func(plumbing.Hash) (*object.Tree, error), op, name string) (*object.TreeEntry, *object.Tree, error) {
	dir, elems := root, strings.Split(name, "/")
	last := len(elems) - 1
	for i, elem := range elems[:last] {
		e, err := dir.FindEntry(elem)
		if err == nil && e.Mode != filemode.Dir {
			if cerr := repofs.CheckMode(fileMode(e.Mode)); cerr != nil {
				return nil, nil, &fs.PathError{Op: op, Path: strings.Join(elems[:i+1], "/"), Err: cerr}
			}
			err = object.ErrDirectoryNotFound // a file is not a directory
		}
		if err == nil {
			dir, err = subtree(getTree, e.Hash)
		}
		if err != nil {
			return nil, nil, lookupErr(op, name, err)
		}
	}
	e, err := dir.FindEntry(elems[last])
	if err != nil {
		return nil, nil, lookupErr(op, name, err)
	}
	if e.Mode != filemode.Dir {
		return e, nil, nil
	}
	sub, err := subtree(getTree, e.Hash)
	if err != nil {
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return e, sub, nil
}

// subtree is the directory tree h, a missing one being object.ErrDirectoryNotFound (as
// go-git's Tree.Tree says it).
func subtree(getTree func(plumbing.Hash) (*object.Tree, error), h plumbing.Hash) (*object.Tree, error) {
	t, err := getTree(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, object.ErrDirectoryNotFound
	}
	return t, err
}

// lookupErr is fs.ErrNotExist for a path that is not in the tree.
func lookupErr(op, name string, err error) error {
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		err = fs.ErrNotExist
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// readBlob returns a regular file's content. A symlink or a submodule is
// refused without reading anything, and a blob is never read past the size its
// header gives (what Stat reports, and what bounded readers check first).
func readBlob(s storer.EncodedObjectStorer, info *entryInfo) ([]byte, error) {
	if err := repofs.CheckMode(info.Mode()); err != nil {
		return nil, err
	}
	b, err := object.GetBlob(s, info.entry.Hash)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", info.entry.Hash, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", info.entry.Hash, err)
	}
	defer rd.Close()
	content, err := io.ReadAll(io.LimitReader(rd, b.Size+1))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", info.entry.Hash, err)
	}
	if int64(len(content)) != b.Size {
		return nil, fmt.Errorf("read blob %s: %d bytes, its header says %d", info.entry.Hash, len(content), b.Size)
	}
	info.size, info.sized = b.Size, true
	return content, nil
}

func (t *TreeFS) entries(tree *object.Tree) []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(tree.Entries))
	for _, e := range tree.Entries {
		out = append(out, fs.FileInfoToDirEntry(&entryInfo{entry: e, fsys: t}))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// size looks up a blob's size without reading its content.
func (t *TreeFS) size(h plumbing.Hash) int64 {
	t.src.mu.Lock()
	defer t.src.mu.Unlock()
	r, err := t.src.open()
	if err != nil {
		return 0
	}
	if n, err := r.Storer.EncodedObjectSize(h); err == nil {
		return n
	}
	return 0
}

// entryInfo is the fs.FileInfo of a tree entry. Size is 0 for directories and
// submodules; for blobs it is looked up on first use.
type entryInfo struct {
	entry object.TreeEntry
	fsys  *TreeFS
	size  int64
	sized bool
}

func (i *entryInfo) Name() string       { return path.Base(i.entry.Name) }
func (i *entryInfo) ModTime() time.Time { return i.fsys.when }
func (i *entryInfo) IsDir() bool        { return i.entry.Mode == filemode.Dir }
func (i *entryInfo) Sys() any           { return i.entry.Hash.String() }

func (i *entryInfo) Size() int64 {
	if !i.sized && i.entry.Mode != filemode.Dir && i.entry.Mode != filemode.Submodule {
		i.size, i.sized = i.fsys.size(i.entry.Hash), true
	}
	return i.size
}

func (i *entryInfo) Mode() fs.FileMode { return fileMode(i.entry.Mode) }

// fileMode is how a tree entry's mode reads in io/fs.
func fileMode(m filemode.FileMode) fs.FileMode {
	switch m {
	case filemode.Dir:
		return fs.ModeDir | 0o555
	case filemode.Executable:
		return 0o555
	case filemode.Symlink:
		return fs.ModeSymlink | 0o444
	case filemode.Submodule:
		return fs.ModeIrregular
	default:
		return 0o444
	}
}

type treeFile struct {
	info *entryInfo
	r    *bytes.Reader
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *treeFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *treeFile) Close() error               { return nil }

type treeDir struct {
	info    *entryInfo
	entries []fs.DirEntry
	name    string
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}

// ReadDir implements fs.ReadDirFile.
func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}
