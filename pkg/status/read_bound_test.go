package status_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// pushSameBlob pushes, over smart HTTP, one commit whose status/ names the same blob n times:
// a push of about one blob, whatever n is.
func pushSameBlob(t *testing.T, content []byte, n int) string {
	t.Helper()
	gs := gittest.NewHTTPServer(t, "")
	gittest.NewBareRepo(t, gs.Root, "fleet.git")
	url := gs.RepoURL("fleet.git")
	user := gittest.Clone(t, url)
	user.Write(t, map[string]string{"clusters/a.yaml": "x"})
	gittest.Run(t, user.Dir, "add", "-A")
	blobFile := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(blobFile, content, 0o644); err != nil {
		t.Fatal(err)
	}
	blob := strings.TrimSpace(gittest.Run(t, user.Dir, "hash-object", "-w", blobFile))
	var idx bytes.Buffer
	for i := range n {
		fmt.Fprintf(&idx, "100644 %s\tstatus/c%05d.yaml\n", blob, i)
	}
	cmd := exec.Command("git", "update-index", "--index-info")
	cmd.Dir, cmd.Env, cmd.Stdin = user.Dir, append(os.Environ(), gittest.Env()...), &idx
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("update-index: %v: %s", err, out)
	}
	gittest.Run(t, user.Dir, "commit", "--quiet", "-m", "many status files") // not add -A: the worktree has none of them
	gittest.Run(t, user.Dir, "push", "--quiet", "origin", "HEAD:main")
	return url
}

func readStatusTree(t *testing.T, url string) (map[string][]byte, []error) {
	t.Helper()
	src, err := source.New(source.Options{URL: url, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	co, err := src.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return status.ReadFiles(co.FS)
}

// One small push named a 1 MiB status blob under 200 names: every loop read and kept 200 MiB
// (and, with more names, gigabytes). ReadFiles now stops at MaxTotalSize, and says so once,
// naming the first file left out and how many follow it.
func TestReadFilesStopsAtTheTotalBound(t *testing.T) {
	blob := append([]byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: ClusterStatus\ncluster: c\n# "), bytes.Repeat([]byte("x"), status.MaxFileSize-200)...)
	files, skipped := readStatusTree(t, pushSameBlob(t, append(blob, '\n'), 200))
	var total int
	for _, b := range files {
		total += len(b)
	}
	if total > status.MaxTotalSize || len(files) == 0 {
		t.Fatalf("read %d files, %d bytes; want some, at most %d bytes", len(files), total, status.MaxTotalSize)
	}
	var tl *status.TreeTooLargeError
	var pe *fs.PathError
	if len(skipped) != 1 || !errors.As(skipped[0], &tl) || !errors.As(skipped[0], &pe) {
		t.Fatalf("skipped = %v, want one *TreeTooLargeError naming a file", skipped)
	}
	if want := fmt.Sprintf("status/c%05d.yaml", len(files)); pe.Path != want || tl.LeftOut != 200-len(files) {
		t.Errorf("skipped %q (%d left out), want it to name %s and %d", skipped[0], tl.LeftOut, want, 200-len(files))
	}
}

// The same with many small files: at most MaxFiles are read.
func TestReadFilesStopsAtTheFileBound(t *testing.T) {
	files, skipped := readStatusTree(t, pushSameBlob(t, []byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: ClusterStatus\ncluster: c\n"), status.MaxFiles+5))
	var tl *status.TreeTooLargeError
	if len(files) != status.MaxFiles || len(skipped) != 1 || !errors.As(skipped[0], &tl) || tl.LeftOut != 5 {
		t.Fatalf("read %d files, skipped %v; want %d and one error leaving 5 out", len(files), skipped, status.MaxFiles)
	}
	if !strings.Contains(skipped[0].Error(), "and the 4 after it are left out") {
		t.Errorf("skipped %q", skipped[0])
	}
}
