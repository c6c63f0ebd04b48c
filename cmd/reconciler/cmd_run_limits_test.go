package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// zeros is an endless body that costs the sender no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// procKB reads a "Vm…: N kB" field of /proc/<pid>/status.
func procKB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// TestRunWebhookFloodKeepsMemoryBounded runs the built `reconciler run` as a child process and
// floods /webhook with 16 parallel 24 MB bodies carrying a bad signature (half with a
// Content-Length, half chunked): every one is refused, the child's peak RSS grows by less than
// 50 MB, and a valid signed push still triggers a pass afterwards.
func TestRunWebhookFloodKeepsMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("reads the child's memory from /proc")
	}
	bin := buildBinary(t)
	startEmulator(t)
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/edge.yaml": threeClusters["clusters/edge.yaml"]}, "add edge")
	secretFile := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(secretFile, []byte(webhookSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	l := &runLoop{t: t, bare: bare, statusRef: "main", stderr: &syncBuffer{}}
	cmd := exec.Command(bin, "run", "--repo", bare, "--listen", "127.0.0.1:0", "--webhook-secret-file", secretFile,
		"--interval", "1h", "--poll-interval", "20ms", "--cache-dir", t.TempDir())
	cmd.Env, cmd.Stderr = os.Environ(), l.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	l.addr = servingAddr(t, l.stderr.String)
	pid := cmd.Process.Pid
	planned := func(n int) func() bool {
		return func() bool {
			return strings.Contains(l.metrics(), fmt.Sprintf("reconciler_ticks_total{result=\"planned\"} %d\n", n))
		}
	}
	l.waitFor("the first pass", 60*time.Second, planned(1))

	// Reset the peak to the current RSS, so VmHWM after the flood is the flood's peak.
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak RSS (%v): measuring against the start-up peak", err)
	}
	before := procKB(t, pid, "VmRSS")
	const floods, size = 16, 24 << 20
	codes := make([]int, floods)
	errs := make([]error, floods)
	took := make([]time.Duration, floods)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range floods {
		wg.Go(func() {
			var body io.Reader = io.LimitReader(zeros{}, size)
			length := int64(size)
			if i%2 == 1 {
				body, length = io.MultiReader(body), -1 // chunked: the server cannot know the size up front
			}
			req, err := http.NewRequestWithContext(ctx, "POST", "http://"+l.addr+"/webhook", body)
			if err != nil {
				errs[i] = err
				return
			}
			req.ContentLength = length
			req.Header.Set("X-GitHub-Event", "push")
			req.Header.Set("X-Hub-Signature-256", "sha256="+sign("not-the-secret", "x"))
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			took[i] = time.Since(start)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	peak := procKB(t, pid, "VmHWM")
	growth := (peak - before) >> 10
	t.Logf("child RSS %d MB before, peak %d MB during 16 x 24 MB bodies: +%d MB; answers %v in at most %s",
		before>>10, peak>>10, growth, codes, slices.Max(took))
	for i, code := range codes {
		if code != http.StatusRequestEntityTooLarge && code != http.StatusUnauthorized && code != http.StatusServiceUnavailable {
			t.Errorf("flood request %d: status %d (%v), want 413, 401 or 503", i, code, errs[i])
		}
	}
	if growth >= 50 {
		t.Errorf("peak RSS grew by %d MB during the flood, want < 50 MB", growth)
	}

	rev := gittest.Seed(t, bare, map[string]string{"clusters/edge.yaml": strings.Replace(threeClusters["clusters/edge.yaml"], "size: 1", "size: 2", 1)}, "edge: two nodes")
	body := fmt.Sprintf(`{"ref":"refs/heads/main","after":%q}`, rev)
	if code := l.webhook(body, sign(webhookSecret, body)); code != http.StatusAccepted {
		t.Fatalf("valid push after the flood: %d, want 202", code)
	}
	l.waitFor("the pass the push triggered", 60*time.Second, planned(2))
}
