package source_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

const (
	benchCommits = 10000
	benchFiles   = 500
)

// BenchmarkIncrementalFetch fetches one new commit from a 10,000-commit
// repository over smart HTTP with the Source (go-git, shallow cache) and,
// in the same loop, with `git fetch --depth 1` into a shallow bare CLI clone
// of the same shape. It reports both times, their ratio and peak memory.
//
//	go test ./pkg/source -run '^$' -bench IncrementalFetch -benchtime 20x
func BenchmarkIncrementalFetch(b *testing.B) {
	setup := time.Now()
	srv := gittest.NewHTTPServer(b, "")
	repo := gittest.NewBareRepo(b, srv.Root, "big.git")
	fastImport(b, repo, historyStream(benchCommits))
	url := srv.RepoURL("big.git")

	s, err := source.New(source.Options{URL: url, CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Fetch(ctx); err != nil {
		b.Fatalf("initial fetch: %v", err)
	}
	cli := filepath.Join(b.TempDir(), "cli.git")
	gittest.Run(b, srv.Root, "clone", "--quiet", "--bare", "--depth", "1", "--single-branch", "--branch", "main", url, cli)
	b.Logf("setup (10,000-commit repo, both shallow clones): %v", time.Since(setup).Round(time.Millisecond))

	resetPeakRSS(b)
	baseRSS := vmHWM(b)
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	var gogit, git time.Duration
	var cliMaxRSS int64
	b.ResetTimer()
	b.StopTimer()
	for i := range b.N {
		want := addCommit(b, repo, benchCommits+i+1)

		b.StartTimer()
		t0 := time.Now()
		co, err := s.Fetch(ctx)
		gogit += time.Since(t0)
		b.StopTimer()
		if err != nil || co.Revision != want {
			b.Fatalf("Fetch = %v, %v; want %s", co, err, want)
		}

		t0 = time.Now()
		cmd := exec.Command("git", "fetch", "--quiet", "--depth", "1", "origin", "+refs/heads/main:refs/heads/main")
		cmd.Dir, cmd.Env = cli, gittest.Env()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git fetch: %v: %s", err, out)
		}
		git += time.Since(t0)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cliMaxRSS = max(cliMaxRSS, ru.Maxrss*1024)
		}
		if got := gittest.Run(b, cli, "rev-parse", "refs/heads/main"); got != want {
			b.Fatalf("git fetch got %s, want %s", got, want)
		}
	}
	runtime.ReadMemStats(&ms1)
	// A fetch that brings nothing: one ref advertisement, same revision.
	const noops = 5
	t0 := time.Now()
	for range noops {
		if _, err := s.Fetch(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(t0).Nanoseconds())/noops, "gogit-noop-fetch-ns")
	// One status commit pushed from the shallow cache (fetch + build + push).
	t0 = time.Now()
	if _, err := s.Commit(ctx, map[string][]byte{"status/big.yaml": []byte("ok\n")}, "status", source.Author{}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(t0).Nanoseconds()), "gogit-commit-push-ns")
	n := float64(b.N)
	b.ReportMetric(float64(git.Nanoseconds())/n, "git-cli-ns/op")
	b.ReportMetric(float64(gogit)/float64(git), "gogit/git-time")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/n/(1<<20), "gogit-alloc-MB/op")
	b.ReportMetric(float64(vmHWM(b)-baseRSS)/(1<<20), "gogit-peakRSS-delta-MB")
	b.ReportMetric(float64(baseRSS)/(1<<20), "process-RSS-before-MB")
	b.ReportMetric(float64(cliMaxRSS)/(1<<20), "git-cli-maxRSS-MB")
	b.Logf("per fetch: go-git %v, git CLI %v, ratio %.2f", gogit/time.Duration(b.N), git/time.Duration(b.N), float64(gogit)/float64(git))
}

// historyStream is a fast-import stream of n commits on main, each changing
// one of benchFiles YAML files.
func historyStream(n int) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	for i := 1; i <= n; i++ {
		writeCommit(w, i, "")
	}
	w.Flush()
	return buf.Bytes()
}

func writeCommit(w *bufio.Writer, i int, from string) {
	msg := fmt.Sprintf("change %d", i)
	content := fmt.Sprintf("kind: Cluster\nname: c-%03d\nrevision: %d\n", i%benchFiles, i)
	fmt.Fprintf(w, "commit refs/heads/main\ncommitter Bench <bench@example.test> %d +0000\ndata %d\n%s\n", 1700000000+i, len(msg), msg)
	if from != "" {
		fmt.Fprintf(w, "from %s\n", from)
	}
	fmt.Fprintf(w, "M 100644 inline clusters/c-%03d.yaml\ndata %d\n%s\n", i%benchFiles, len(content), content)
}

func fastImport(tb testing.TB, repo string, stream []byte) {
	tb.Helper()
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Env = repo, gittest.Env()
	cmd.Stdin = bytes.NewReader(stream)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("fast-import: %v: %s", err, out)
	}
}

func addCommit(tb testing.TB, repo string, i int) string {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeCommit(w, i, "refs/heads/main^0")
	w.Flush()
	fastImport(tb, repo, buf.Bytes())
	return gittest.Head(tb, repo, "main")
}

// resetPeakRSS resets VmHWM to the current RSS (Linux: clear_refs 5).
func resetPeakRSS(tb testing.TB) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Logf("cannot reset peak RSS: %v", err)
	}
}

// vmHWM is the process's peak resident set size in bytes.
func vmHWM(tb testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Logf("no /proc/self/status: %v", err)
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
