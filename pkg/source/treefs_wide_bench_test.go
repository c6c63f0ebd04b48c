package source_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// wideTree fetches, over smart HTTP, a commit whose status/ holds n entries (one blob).
func wideTree(b *testing.B, n int) fs.FS {
	b.Helper()
	gs := gittest.NewHTTPServer(b, "")
	gittest.NewBareRepo(b, gs.Root, "wide.git")
	user := gittest.Clone(b, gs.RepoURL("wide.git"))
	blobFile := filepath.Join(b.TempDir(), "blob")
	if err := os.WriteFile(blobFile, []byte("kind: ClusterStatus\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	blob := strings.TrimSpace(gittest.Run(b, user.Dir, "hash-object", "-w", blobFile))
	var idx bytes.Buffer
	for i := range n {
		fmt.Fprintf(&idx, "100644 %s\tstatus/c%06d.yaml\n", blob, i)
	}
	cmd := exec.Command("git", "update-index", "--index-info")
	cmd.Dir, cmd.Env, cmd.Stdin = user.Dir, append(os.Environ(), gittest.Env()...), &idx
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("update-index: %v: %s", err, out)
	}
	gittest.Run(b, user.Dir, "commit", "--quiet", "-m", "wide")
	gittest.Run(b, user.Dir, "push", "--quiet", "origin", "HEAD:main")
	s, err := source.New(source.Options{URL: gs.RepoURL("wide.git"), CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	co, err := s.Fetch(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return co.FS
}

// readAll stats and reads every file of status/, as status.ReadFiles does, and returns the time
// per file.
func readAll(b *testing.B, fsys fs.FS) time.Duration {
	b.Helper()
	entries, err := fs.ReadDir(fsys, "status")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for _, e := range entries {
		p := "status/" + e.Name()
		if _, err := fs.Stat(fsys, p); err != nil {
			b.Fatal(err)
		}
		if _, err := fs.ReadFile(fsys, p); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / time.Duration(len(entries))
}

// BenchmarkTreeFSWideDirectory reads every file of a 500-entry and of a 4,000-entry directory of
// a fetched tree and reports the time per file of each and their ratio: about 1 when a directory
// is decoded once per walk, about 8 (the ratio of the sizes) when every lookup decoded it again,
// which made a pushed status/ of 20,000 names cost minutes of every loop's CPU.
//
//	go test ./pkg/source -run '^$' -bench TreeFSWideDirectory -benchtime 3x
func BenchmarkTreeFSWideDirectory(b *testing.B) {
	small, large := wideTree(b, 500), wideTree(b, 4000)
	var ts, tl time.Duration
	b.ResetTimer()
	for range b.N {
		ts += readAll(b, small)
		tl += readAll(b, large)
	}
	b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "ns/file@500")
	b.ReportMetric(float64(tl.Nanoseconds())/float64(b.N), "ns/file@4000")
	b.ReportMetric(float64(tl)/float64(ts), "ratio")
}
