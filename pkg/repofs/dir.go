package repofs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// Dir returns the directory tree at dir as an fs.FS (fs.StatFS too) for the user's repository:
// os.DirFS without its dangers.
//
//   - A path with a symlink in it, as the file or as any directory on the way, is refused with
//     ErrSymlink, and nothing is read through it.
//   - A FIFO, device or socket is refused with ErrNotRegular without being opened.
//   - Paths resolve with os.Root, which cannot leave dir even if the tree changes while it is
//     read; a file is opened non-blocking and checked again once open.
//
// Directory entries (fs.ReadDir) report a symlink or a special file as what it is, so a walk
// sees it and can refuse it by name. Each operation opens dir anew: the FS holds no descriptor.
func Dir(dir string) fs.FS { return dirFS(dir) }

type dirFS string

var _ fs.StatFS = dirFS("")

// Open implements fs.FS.
func (d dirFS) Open(name string) (fs.File, error) {
	var f *os.File
	err := d.in("open", name, func(root *os.Root) error {
		var err error
		if f, err = root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0); err != nil {
			return unwrapPath(err)
		}
		st, err := f.Stat()
		if err == nil {
			err = CheckMode(st.Mode()) // swapped after the checks: close it unread
		}
		if err != nil {
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stat implements fs.StatFS. It describes the file itself (a symlink is refused, not followed).
func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := d.in("stat", name, func(root *os.Root) error {
		var err error
		fi, err = root.Lstat(name)
		return unwrapPath(err)
	})
	return fi, err
}

// in opens the root, refuses name unless every element of it is a directory and the last one a
// directory or a regular file, and calls fn. Errors are *fs.PathError naming the element at
// fault.
func (d dirFS) in(op, name string, fn func(*os.Root) error) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	root, err := os.OpenRoot(string(d))
	if err != nil {
		return &fs.PathError{Op: op, Path: name, Err: unwrapPath(err)}
	}
	defer root.Close()
	if name != "." {
		for i := 0; i <= len(name); i++ {
			if i < len(name) && name[i] != '/' {
				continue
			}
			elem := name[:i]
			st, err := root.Lstat(elem)
			if err != nil {
				return &fs.PathError{Op: op, Path: elem, Err: unwrapPath(err)}
			}
			if err := CheckMode(st.Mode()); err != nil {
				return &fs.PathError{Op: op, Path: elem, Err: err}
			}
			if i < len(name) && !st.IsDir() {
				return &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
			}
		}
	}
	if err := fn(root); err != nil {
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	return nil
}

// unwrapPath drops the *PathError os adds (it names the absolute path; ours names the path in
// the repository).
func unwrapPath(err error) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
