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

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TreeFS is a read-only fs.FS over one commit's tree, read from the object
// store without a worktree. It implements fs.ReadDirFS, fs.ReadFileFS and
// fs.StatFS. Entries carry the commit time as ModTime. Symlinks appear as
// fs.ModeSymlink entries whose content is the link target (never followed);
// submodules as fs.ModeIrregular entries that cannot be opened.
//
// A TreeFS reads from the cache lazily: read what you need before the next
// Fetch or Commit on the same Source (either may compact the cache).
type TreeFS struct {
	root *object.Tree
	when time.Time
}

var (
	_ fs.ReadDirFS  = (*TreeFS)(nil)
	_ fs.ReadFileFS = (*TreeFS)(nil)
	_ fs.StatFS     = (*TreeFS)(nil)
)

func newTreeFS(root *object.Tree, when time.Time) *TreeFS {
	return &TreeFS{root: root, when: when}
}

// Open implements fs.FS.
func (t *TreeFS) Open(name string) (fs.File, error) {
	info, tree, err := t.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if tree != nil {
		return &treeDir{fsys: t, info: info, tree: tree, name: name}, nil
	}
	if !info.Mode().IsRegular() && info.Mode()&fs.ModeSymlink == 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	b, err := t.blob(info.entry)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &treeFile{info: info, r: bytes.NewReader(b)}, nil
}

// ReadFile implements fs.ReadFileFS.
func (t *TreeFS) ReadFile(name string) ([]byte, error) {
	info, tree, err := t.lookup("readfile", name)
	if err != nil {
		return nil, err
	}
	if tree != nil || (!info.Mode().IsRegular() && info.Mode()&fs.ModeSymlink == 0) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	b, err := t.blob(info.entry)
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return b, nil
}

// ReadDir implements fs.ReadDirFS: entries sorted by name.
func (t *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	_, tree, err := t.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if tree == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return t.entries(tree), nil
}

// Stat implements fs.StatFS.
func (t *TreeFS) Stat(name string) (fs.FileInfo, error) {
	info, _, err := t.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return info, nil
}

func (t *TreeFS) lookup(op, name string) (*entryInfo, *object.Tree, error) {
	if !fs.ValidPath(name) {
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &entryInfo{entry: object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: t.root.Hash}, when: t.when}, t.root, nil
	}
	e, err := t.root.FindEntry(name)
	if err != nil {
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			return nil, nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	info := &entryInfo{entry: *e, when: t.when, root: t.root}
	if e.Mode != filemode.Dir {
		return info, nil, nil
	}
	sub, err := t.root.Tree(name)
	if err != nil {
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return info, sub, nil
}

func (t *TreeFS) blob(e object.TreeEntry) ([]byte, error) {
	f, err := t.root.TreeEntryFile(&e)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", e.Hash, err)
	}
	r, err := f.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", e.Hash, err)
	}
	defer r.Close()
	return io.ReadAll(r)
}

func (t *TreeFS) entries(tree *object.Tree) []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(tree.Entries))
	for _, e := range tree.Entries {
		out = append(out, fs.FileInfoToDirEntry(&entryInfo{entry: e, when: t.when, root: t.root}))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// entryInfo is the fs.FileInfo of a tree entry. Size is 0 for directories and
// submodules; for blobs it is looked up on first use.
type entryInfo struct {
	entry object.TreeEntry
	when  time.Time
	root  *object.Tree
	size  int64
	sized bool
}

func (i *entryInfo) Name() string { return path.Base(i.entry.Name) }

func (i *entryInfo) Size() int64 {
	if i.sized || i.root == nil || i.entry.Mode == filemode.Dir || i.entry.Mode == filemode.Submodule {
		return i.size
	}
	if f, err := i.root.TreeEntryFile(&i.entry); err == nil {
		i.size = f.Size
	}
	i.sized = true
	return i.size
}
func (i *entryInfo) ModTime() time.Time { return i.when }
func (i *entryInfo) IsDir() bool        { return i.entry.Mode == filemode.Dir }
func (i *entryInfo) Sys() any           { return i.entry.Hash.String() }

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

func (f *treeFile) Stat() (fs.FileInfo, error) {
	i := *f.info
	i.size, i.sized = f.r.Size(), true
	return &i, nil
}
func (f *treeFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *treeFile) Close() error               { return nil }

type treeDir struct {
	fsys *TreeFS
	info *entryInfo
	tree *object.Tree
	name string
	rest []fs.DirEntry
	read bool
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}

// ReadDir implements fs.ReadDirFile.
func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		d.rest, d.read = d.fsys.entries(d.tree), true
	}
	if n <= 0 {
		out := d.rest
		d.rest = nil
		return out, nil
	}
	if len(d.rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.rest))
	out := d.rest[:n]
	d.rest = d.rest[n:]
	return out, nil
}
