package status

import (
	"io/fs"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

// MaxFileSize bounds a status file read back from the repository. The reconciler writes a few
// kilobytes; a larger file was not written by it, and reading it would let anyone who can push
// exhaust the reconciler's memory.
const MaxFileSize = 1 << 20

// ReadFiles returns the content of every status/*.yaml of a repository tree, by path
// ("status/<cluster>.yaml"). A file that cannot be read, a symlink or a special file (never
// opened), or a file over MaxFileSize is left out, and why is in skipped, one error naming the
// file (a *fs.PathError), for the caller to log. A status left out counts as absent, which authorises nothing:
// the deletion rule rests on live evidence, and a status file only ever adds caution to it.
func ReadFiles(fsys fs.FS) (files map[string][]byte, skipped []error) {
	files = map[string][]byte{}
	entries, err := fs.ReadDir(fsys, "status")
	if err != nil {
		return files, nil // no status yet
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		p := "status/" + e.Name()
		b, err := repofs.ReadFile(fsys, p, MaxFileSize)
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		files[p] = b
	}
	return files, skipped
}
