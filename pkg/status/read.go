package status

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

// MaxFileSize bounds a status file read back from the repository. The reconciler writes a few
// kilobytes; a larger file was not written by it, and reading it would let anyone who can push
// exhaust the reconciler's memory.
const MaxFileSize = 1 << 20

// MaxFiles and MaxTotalSize bound what ReadFiles reads of status/ altogether (one status per
// cluster, a few kilobytes each): without them, a push of one small commit whose tree names the
// same 1 MiB blob under thousands of names had every loop read and keep gigabytes.
const (
	MaxFiles     = 20_000
	MaxTotalSize = 128 << 20
)

// ReadFiles returns the content of every status/*.yaml of a repository tree, by path
// ("status/<cluster>.yaml"). A file that cannot be read, a symlink or a special file (never
// opened), or a file over MaxFileSize is left out, and why is in skipped, one error naming the
// file (a *fs.PathError), for the caller to log. Past MaxFiles files or MaxTotalSize bytes (in
// name order) the rest is left out unread, with one error naming the first file left out and
// how many. A status left out counts as absent, which authorises nothing: the deletion rule rests
// on live evidence, and a status file only ever adds caution to it.
func ReadFiles(fsys fs.FS) (files map[string][]byte, skipped []error) {
	files = map[string][]byte{}
	entries, err := fs.ReadDir(fsys, "status")
	if err != nil {
		return files, nil // no status yet
	}
	var total int64
	for i, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		p := "status/" + e.Name()
		if len(files) == MaxFiles || total >= MaxTotalSize {
			skipped = append(skipped, &fs.PathError{Op: "read", Path: p, Err: &TreeTooLargeError{LeftOut: yamlFiles(entries[i:])}})
			break
		}
		b, err := repofs.ReadFile(fsys, p, min(MaxFileSize, MaxTotalSize-total))
		if tl := (*repofs.TooLargeError)(nil); errors.As(err, &tl) && tl.Limit < MaxFileSize {
			skipped = append(skipped, &fs.PathError{Op: "read", Path: p, Err: &TreeTooLargeError{LeftOut: yamlFiles(entries[i:])}})
			break
		}
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		files[p] = b
		total += int64(len(b))
	}
	return files, skipped
}

// TreeTooLargeError says status/ holds more than ReadFiles reads: LeftOut files, from the one
// the error names on, were not read.
type TreeTooLargeError struct{ LeftOut int }

func (e *TreeTooLargeError) Error() string {
	return fmt.Sprintf("status/ holds more than %d files or %d MiB: this file and the %d after it are left out (the reconciler writes one small file per cluster; remove the others)",
		MaxFiles, MaxTotalSize>>20, e.LeftOut-1)
}

func yamlFiles(entries []fs.DirEntry) int {
	n := 0
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			n++
		}
	}
	return n
}
