package repofs

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrSymlink refuses a symbolic link: the repository's files are read as they are, never through
// a link (its target could be anything on the machine, in or out of the repository).
var ErrSymlink = errors.New("symlinks are not followed")

// ErrNotRegular refuses what is neither a regular file nor a directory: a named pipe, a device,
// a socket, a git submodule.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError refuses a file larger than the reader's limit.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return "file too large: over the " + FormatSize(e.Limit) + " limit"
}

// FormatSize writes a byte count the way limits are documented: "4 MiB", "512 KiB", "100 bytes".
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// CheckMode returns nil for a regular file or a directory, else ErrSymlink or ErrNotRegular
// (saying what the file is). It needs only the type bits: a directory entry's Type() will do.
func CheckMode(m fs.FileMode) error {
	switch t := m.Type(); {
	case t == 0, t == fs.ModeDir:
		return nil
	case t&fs.ModeSymlink != 0:
		return ErrSymlink
	case t&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%w: named pipe", ErrNotRegular)
	case t&fs.ModeDevice != 0:
		return fmt.Errorf("%w: device", ErrNotRegular)
	case t&fs.ModeSocket != 0:
		return fmt.Errorf("%w: socket", ErrNotRegular)
	default:
		return ErrNotRegular
	}
}
