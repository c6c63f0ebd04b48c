package repofs

import (
	"fmt"
	"io"
	"io/fs"
)

// ReadFile reads the regular file name of fsys, at most limit bytes. It refuses a symlink or a
// special file (by Stat, before opening anything: Dir and git trees describe a symlink as one),
// a file whose Stat size is over limit, and a file found longer than limit while it is read (a
// file may grow, and a device says its size is 0): it never reads more than limit+1 bytes.
//
// Errors are *fs.PathError around ErrSymlink, ErrNotRegular, *TooLargeError or the file system's
// own error (fs.ErrNotExist for a missing file).
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if err := check(fi, limit); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if int64(len(b)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Limit: limit}}
	}
	return b, nil
}

// check refuses anything but a regular file of at most limit bytes.
func check(fi fs.FileInfo, limit int64) error {
	if err := CheckMode(fi.Mode()); err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: directory", ErrNotRegular)
	}
	if fi.Size() > limit {
		return &TooLargeError{Limit: limit}
	}
	return nil
}
