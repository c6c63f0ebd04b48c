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
)

// TreeFS is a read-only fs.FS over one commit's tree, read from the cache's
// object store without a worktree. It implements fs.ReadDirFS, fs.ReadFileFS
// and fs.StatFS. Entries carry the commit time as ModTime. Symlinks appear as
// fs.ModeSymlink entries whose content is the link target (never followed);
// submodules as fs.ModeIrregular entries that cannot be opened.
//
// A TreeFS stays readable for as long as the caller holds it: every read goes
// through the Source's current storage (one at a time with its other
// operations), and compaction keeps the trees of checkouts still referenced.
type TreeFS struct {
	src  *Source
	root plumbing.Hash
	when time.Time
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
		b, err := readable(s, info)
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
		b, err = readable(s, info)
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
	root, err := object.GetTree(s, t.root)
	if err != nil {
		return &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("read tree %s: %w", t.root, err)}
	}
	if name == "." {
		info := &entryInfo{entry: object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: t.root}, fsys: t}
		return pathErr(op, name, fn(s, info, root))
	}
	e, err := root.FindEntry(name)
	if err != nil {
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	info := &entryInfo{entry: *e, fsys: t}
	var sub *object.Tree
	if e.Mode == filemode.Dir {
		if sub, err = root.Tree(name); err != nil {
			return &fs.PathError{Op: op, Path: name, Err: err}
		}
	}
	return pathErr(op, name, fn(s, info, sub))
}

func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// readable returns a regular file's or a symlink's content.
func readable(s storer.EncodedObjectStorer, info *entryInfo) ([]byte, error) {
	if !info.Mode().IsRegular() && info.Mode()&fs.ModeSymlink == 0 {
		return nil, fs.ErrInvalid
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
	content, err := io.ReadAll(rd)
	if err == nil {
		info.size, info.sized = int64(len(content)), true
	}
	return content, err
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

func (i *entryInfo) Mode() fs.FileMode {
	switch i.entry.Mode {
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
