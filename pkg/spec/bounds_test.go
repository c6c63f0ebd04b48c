package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

const secretContent = "SECRET-private-key-9c1e"

// loadErrors loads fsys and returns its error lines; Load must fail.
func loadErrors(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	repo, err := Load(fsys)
	var list ErrorList
	if !errors.As(err, &list) || repo != nil {
		t.Fatalf("Load = %v, %v; want an ErrorList", repo, err)
	}
	return strings.Split(list.Error(), "\n")
}

// TestLoadRefusesLinksAndSpecialFiles: through repofs.Dir, every symlink under clusters/ (any
// name: it may stand for a directory) and every special spec file is an error naming it; a
// special file that is not a spec is ignored like any other. Nothing is read through a link.
func TestLoadRefusesLinksAndSpecialFiles(t *testing.T) {
	outside, dir := t.TempDir(), t.TempDir()
	if err := os.CopyFS(outside, fstest.MapFS{"id_rsa": {Data: []byte(secretContent)}, "more/c.yaml": {Data: []byte(minimalKosmos)}}); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, fstest.MapFS{"clusters/ok.yaml": {Data: []byte(minimalKosmos)}}); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"clusters/key.yaml": filepath.Join(outside, "id_rsa"),
		"clusters/more":     filepath.Join(outside, "more"),
		"clusters/same.yml": "ok.yaml",
		"reconciler.yaml":   filepath.Join(outside, "id_rsa"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"clusters/pipe.yaml", "clusters/pipe.txt"} {
		if err := syscall.Mkfifo(filepath.Join(dir, p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := loadErrors(t, repofs.Dir(dir))
	want := []string{
		"clusters/key.yaml: symlinks are not followed (hint: replace the link with the file itself)",
		"clusters/more: symlinks are not followed (hint: replace the link with the file itself)",
		"clusters/pipe.yaml: not a regular file: named pipe",
		"clusters/same.yml: symlinks are not followed (hint: replace the link with the file itself)",
		"reconciler.yaml: symlinks are not followed (hint: replace the link with the file itself)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	// The clusters directory itself as a link.
	dir = t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "more"), filepath.Join(dir, "clusters")); err != nil {
		t.Fatal(err)
	}
	got = loadErrors(t, repofs.Dir(dir))
	if diff := cmp.Diff([]string{"clusters: symlinks are not followed (hint: replace the link with the file itself)"}, got); diff != "" {
		t.Errorf("linked clusters/ (-want +got):\n%s", diff)
	}
}

// TestLoadBounds: each bound gives one error naming the file (or clusters/) and the limit, and
// nothing past a total is parsed.
func TestLoadBounds(t *testing.T) {
	hint := "(hint: a revision holds at most 64 MiB of specs, in 20000 files and 50000 documents; keep only cluster specs under clusters/)"
	many := fstest.MapFS{}
	for i := range maxSpecFiles + 1 {
		many[fmt.Sprintf("clusters/c%05d.yaml", i)] = &fstest.MapFile{Data: []byte("{")} // a syntax error, if it were parsed
	}
	for _, tc := range []struct {
		name string
		fsys fs.FS
		want []string
	}{
		{"reconciler.yaml over 1 MiB", fstest.MapFS{
			"clusters/c.yaml": {Data: []byte(minimalKosmos)},
			SettingsFile:      {Data: []byte("# " + strings.Repeat("x", maxSettingsSize))},
		}, []string{"reconciler.yaml: file too large: over the 1 MiB limit"}},
		{"a spec file over 4 MiB", fstest.MapFS{
			"clusters/c.yaml":   {Data: []byte(minimalKosmos)},
			"clusters/big.yaml": {Data: []byte("# " + strings.Repeat("x", maxFileSize))},
		}, []string{"clusters/big.yaml: file too large: over the 4 MiB limit"}},
		{"too many files", many, []string{"clusters/: too many spec files: over the 20000-file limit " + hint}},
		{"too many documents", fstest.MapFS{
			"clusters/a.yaml": {Data: []byte(minimalKosmos)},
			"clusters/b.yaml": {Data: []byte(strings.Repeat("---\n", maxDocuments))},
		}, []string{"clusters/b.yaml: too many YAML documents: over the 50000-document limit of a revision " + hint}},
		{"files past the total", sparseSpecs(t), []string{"clusters/: spec files too large in total: over the 64 MiB limit " + hint}},
		{"files that grew past the total", grownSpecs(), grownErrors(hint)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, loadErrors(t, tc.fsys)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// sparseSpecs is a directory of 17 files just under 4 MiB each (68 MiB, no disk space): their
// sizes alone refuse them, so they are never read (they hold zeros, which would not parse).
func sparseSpecs(t *testing.T) fs.FS {
	dir := filepath.Join(t.TempDir(), "clusters")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 17 {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("c%02d.yaml", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(maxFileSize - 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return repofs.Dir(filepath.Dir(dir))
}

// grownSpecs lists 17 files of 0 bytes that hold just under 4 MiB each when read: the bytes
// read are counted too.
func grownSpecs() fs.FS {
	comment := []byte("# " + strings.Repeat("x", maxFileSize-3)) // one backing array for all
	m := fstest.MapFS{}
	for i := range 17 {
		m[fmt.Sprintf("clusters/c%02d.yaml", i)] = &fstest.MapFile{Data: comment}
	}
	return zeroSizeEntries{m}
}

// grownErrors: the first 16 files are read and parsed (they hold no document), the 17th is
// read, found past the total, and not parsed.
func grownErrors(hint string) []string {
	want := []string{"clusters/: spec files too large in total: over the 64 MiB limit " + hint}
	for i := range 16 {
		want = append(want, fmt.Sprintf("clusters/c%02d.yaml: no Cluster document in file (hint: add a Cluster or delete the file)", i))
	}
	return want
}

// zeroSizeEntries reports every directory entry with size 0, as of a file written later.
type zeroSizeEntries struct{ fstest.MapFS }

func (z zeroSizeEntries) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := z.MapFS.ReadDir(name)
	for i, e := range entries {
		entries[i] = zeroSizeEntry{e}
	}
	return entries, err
}

type zeroSizeEntry struct{ fs.DirEntry }

func (e zeroSizeEntry) Info() (fs.FileInfo, error) {
	fi, err := e.DirEntry.Info()
	return zeroSizeInfo{fi}, err
}

type zeroSizeInfo struct{ fs.FileInfo }

func (zeroSizeInfo) Size() int64 { return 0 }
