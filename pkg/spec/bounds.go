package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

// Bounds on what one revision may hold. A cluster spec is a few kilobytes; the repository may be
// a hostile pull request, read by CI or a preview that must not run out of memory. The totals
// are decided from the directory entries before any file is parsed, and enforced again on the
// bytes actually read.
const (
	maxFileSize     = 4 << 20  // one file under clusters/
	maxSettingsSize = 1 << 20  // reconciler.yaml
	maxSpecBytes    = 64 << 20 // every file under clusters/ together
	maxSpecFiles    = 20_000
	maxDocuments    = 50_000 // YAML documents in all the spec files, empty ones included
)

var boundsHint = fmt.Sprintf("a revision holds at most %s of specs, in %d files and %d documents; keep only cluster specs under clusters/",
	repofs.FormatSize(maxSpecBytes), maxSpecFiles, maxDocuments)

// specFiles lists the spec files (*.yaml, *.yml) under clusters/, in walk order. Symlinks and
// special files are refused by their directory entry, never opened. It returns nil when the
// files are too many or too large together: then nothing is parsed.
func (l *loader) specFiles() []string {
	var files []string
	var total int64
	err := fs.WalkDir(l.fsys, ClustersDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == ClustersDir && errors.Is(err, fs.ErrNotExist) {
				// Git keeps no empty directory: a repository whose reconciler.yaml remains after its
				// last cluster file was removed declares zero clusters (how a user retires the last
				// one). Without reconciler.yaml either, this is not a reconciler repository.
				if _, serr := fs.Stat(l.fsys, SettingsFile); serr != nil {
					l.errs = append(l.errs, FieldError{File: ClustersDir + "/", Message: "directory not found", Hint: "run from the repository root or pass --repo"})
				}
				return fs.SkipAll
			}
			l.readError(p, err)
			return nil
		}
		name := d.Name()
		if p != ClustersDir && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err := repofs.CheckMode(d.Type()); err != nil {
			// A link is refused whatever its name: it may stand for a directory of specs.
			if d.Type()&fs.ModeSymlink != 0 || isSpecFile(name) {
				l.readError(p, err)
			}
			return nil
		}
		if d.IsDir() || !isSpecFile(name) {
			return nil
		}
		files = append(files, p)
		if len(files) > maxSpecFiles {
			l.errs = append(l.errs, FieldError{File: ClustersDir + "/", Message: fmt.Sprintf("too many spec files: over the %d-file limit", maxSpecFiles), Hint: boundsHint})
			return fs.SkipAll
		}
		if info, err := d.Info(); err == nil {
			total += info.Size()
		}
		return nil
	})
	if err != nil {
		l.readError(ClustersDir, err)
	}
	if len(files) > maxSpecFiles {
		return nil
	}
	if total > maxSpecBytes {
		l.tooLarge()
		return nil
	}
	return files
}

func isSpecFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// tooLarge reports spec files over maxSpecBytes together.
func (l *loader) tooLarge() {
	l.errs = append(l.errs, FieldError{File: ClustersDir + "/", Message: "spec files too large in total: over the " + repofs.FormatSize(maxSpecBytes) + " limit", Hint: boundsHint})
}

// readError reports a file that could not be read, or was refused (a symlink, a special file,
// too large). The message never holds the file's content nor a link's target.
func (l *loader) readError(file string, err error) {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var tl *repofs.TooLargeError
	switch {
	case errors.Is(err, repofs.ErrSymlink):
		l.errs = append(l.errs, FieldError{File: file, Message: err.Error(), Hint: "replace the link with the file itself"})
	case errors.Is(err, repofs.ErrNotRegular), errors.As(err, &tl):
		l.errs = append(l.errs, FieldError{File: file, Message: err.Error()})
	default:
		l.fileError(file, "cannot read: %v", err)
	}
}
