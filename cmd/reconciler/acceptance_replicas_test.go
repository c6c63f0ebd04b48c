package main

import (
	"bufio"
	"context"

	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// The replica acceptance tests run several `reconciler run` processes of the built binary on one
// repository (smart HTTP or file://) and one emulator, as a Deployment's replicas would.

// replica is one `reconciler run` process.
type replica struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	log    string // its stderr, a file
	exited chan struct{}
	addr   string // of /metrics, once serving
}

// startReplica runs the binary's `run` with args (plus a cache directory, a listen address and
// its name as the status commits' author) and waits until it serves /metrics.
func startReplica(t *testing.T, bin, name string, args ...string) *replica {
	t.Helper()
	dir := t.TempDir()
	r := &replica{t: t, name: name, log: filepath.Join(dir, "stderr.log"), exited: make(chan struct{})}
	f, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	a := append([]string{"run", "--cache-dir", filepath.Join(dir, "cache"), "--listen", "127.0.0.1:0",
		"--author-name", name, "--author-email", name + "@test", "--poll-interval", "20ms"}, args...)
	r.cmd = exec.Command(bin, a...)
	r.cmd.Env, r.cmd.Stderr = os.Environ(), f
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); f.Close(); close(r.exited) }()
	t.Cleanup(func() {
		r.kill()
		if t.Failed() {
			t.Logf("%s's log (tail):\n%s", name, tail(r.logText(), 40))
		}
	})
	pollUntil(t, name+" serves /metrics", 30*time.Second, func() bool {
		select {
		case <-r.exited:
			t.Fatalf("%s exited at start:\n%s", name, r.logText())
		default:
		}
		if m := servingLine.FindStringSubmatch(r.logText()); m != nil {
			r.addr = m[1]
			return true
		}
		return false
	})
	return r
}

func (r *replica) logText() string {
	b, _ := os.ReadFile(r.log)
	return string(b)
}

// count is how many log lines of the replica carry event=kind.
func (r *replica) count(kind string) int {
	return strings.Count(r.logText(), "event="+kind+"\n")
}

// kill SIGKILLs the process (no release, no shutdown line) and waits for it.
func (r *replica) kill() {
	select {
	case <-r.exited:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// metrics scrapes the replica's /metrics into "name{labels}" → value.
func (r *replica) metrics() map[string]float64 {
	r.t.Helper()
	resp, err := http.Get("http://" + r.addr + "/metrics")
	if err != nil {
		return nil // killed, or not serving: no sample
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return out
}

// waitUntil polls cond every 20ms until it holds, failing after within; it returns how long it
// took. It polls external processes' state: no test waits for time to pass.
func pollUntil(t *testing.T, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// clusterCreations counts the successful cluster creations the emulator answered.
func clusterCreations(t *testing.T, srv *emulator.Server) int {
	t.Helper()
	log, err := srv.Requests()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range log.Requests {
		if r.Endpoint == "POST /k8s/v1/regions/{region}/clusters" && r.Status < 300 {
			n++
		}
	}
	return n
}

// headWatch samples the head of a bare repository's main every 20ms, to check at the end that
// every head it saw is still in the history (no push overwrote another).
type headWatch struct {
	mu    sync.Mutex
	heads []string
	stop  context.CancelFunc
	done  chan struct{}
}

func watchHeads(t *testing.T, bare string) *headWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &headWatch{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for ctx.Err() == nil {
			if out, err := gittest.RunErr(bare, nil, "rev-parse", "refs/heads/main"); err == nil {
				h := strings.TrimSpace(out)
				w.mu.Lock()
				if len(w.heads) == 0 || w.heads[len(w.heads)-1] != h {
					w.heads = append(w.heads, h)
				}
				w.mu.Unlock()
			}
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-w.done })
	return w
}

// assertNoOverwrite: every head seen is an ancestor of the final head.
func (w *headWatch) assertNoOverwrite(t *testing.T, bare string) {
	t.Helper()
	w.stop()
	<-w.done
	for _, h := range w.heads {
		if _, err := gittest.RunErr(bare, nil, "merge-base", "--is-ancestor", h, "refs/heads/main"); err != nil {
			t.Errorf("head %s seen during the test is not in the final history: a push overwrote it", h)
		}
	}
	t.Logf("%d heads seen, all in the final history", len(w.heads))
}

// authors counts the commits of main per author name.
func authors(t *testing.T, bare string) map[string]int {
	out := map[string]int{}
	for _, a := range strings.Split(strings.TrimSpace(gittest.Run(t, bare, "log", "--format=%an", "refs/heads/main")), "\n") {
		out[a]++
	}
	return out
}

// statusFiles lists status/*.yaml on main of the bare repository.
func statusFiles(t *testing.T, bare string) map[string]bool {
	out := map[string]bool{}
	ls, err := gittest.RunErr(bare, nil, "ls-tree", "--name-only", "refs/heads/main", "status/")
	if err != nil {
		return out
	}
	for _, p := range strings.Fields(ls) {
		out[strings.TrimSuffix(strings.TrimPrefix(p, "status/"), ".yaml")] = true
	}
	return out
}

// hasStatuses reports whether main holds a status file for every name.
func hasStatuses(t *testing.T, bare string, names ...string) bool {
	have := statusFiles(t, bare)
	for _, n := range names {
		if !have[n] {
			return false
		}
	}
	return true
}

// pushSpecs commits files to main of the repository at url as a user would, and returns the commit.
func pushSpecs(t *testing.T, url string, files map[string]string, msg string) string {
	t.Helper()
	u := gittest.Clone(t, url)
	u.Write(t, files)
	return u.CommitAndPush(t, msg, 10)
}

// observedAll reports whether the status file of every name on main says rev was applied.
func observedAll(t *testing.T, bare, rev string, names ...string) bool {
	for _, n := range names {
		out, err := gittest.RunErr(bare, nil, "show", "refs/heads/main:status/"+n+".yaml")
		if err != nil || !strings.Contains(out, "observedRevision: "+rev) {
			return false
		}
	}
	return true
}

func specNames(files map[string]string) []string {
	var out []string
	for p := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(p), ".yaml"))
	}
	return out
}
