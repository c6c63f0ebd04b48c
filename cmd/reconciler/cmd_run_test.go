package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// servingLine is how `run` names the address it listens on.
var servingLine = regexp.MustCompile(`serving /healthz.* on (127\.0\.0\.1:\d+)`)

// servingAddr waits until a `run --listen 127.0.0.1:0` says where it serves
// (a port chosen before the start could be taken by then).
func servingAddr(t *testing.T, stderr func() string) string {
	t.Helper()
	var addr string
	deadline := time.Now().Add(30 * time.Second)
	for addr == "" {
		if m := servingLine.FindStringSubmatch(stderr()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("run did not say where it serves in 30s:\n%s", stderr())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return addr
}

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

// runLoop is `reconciler run` against a token-protected smart-HTTP git remote and the emulator.
type runLoop struct {
	t          *testing.T
	addr       string
	bare       string
	url        string
	secretFile string
	args       []string // extra flags
	statusRef  string   // branch the status is read from
	user       *gittest.User
	stderr     *syncBuffer
	stop       func()
}

const (
	gitToken      = "ghp_SECRETTOKEN0123456789"
	webhookSecret = "hook-secret-42"
)

// startRunLoop starts `reconciler run`; a non-empty statusBranch adds --status-branch, and
// extra flags come last (a repeated flag overrides).
func startRunLoop(t *testing.T, statusBranch string, extra ...string) *runLoop {
	t.Helper()
	startEmulator(t)
	gs := gittest.NewHTTPServer(t, gitToken)
	bare := gittest.NewBareRepo(t, gs.Root, "fleet.git")
	user := gittest.Clone(t, gs.RepoURLWithAuth("fleet.git", "user", gitToken))
	user.Write(t, map[string]string{"clusters/edge.yaml": threeClusters["clusters/edge.yaml"]})
	user.CommitAndPush(t, "add edge", 3)

	secretFile := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(secretFile, []byte(webhookSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_TOKEN", gitToken)
	l := &runLoop{t: t, bare: bare, url: gs.RepoURL("fleet.git"), secretFile: secretFile, user: user, statusRef: "main"}
	if statusBranch != "" {
		l.args, l.statusRef = []string{"--status-branch", statusBranch}, statusBranch
	}
	l.args = append(l.args, extra...)
	l.start()
	return l
}

// start runs the loop (again) with a fresh cache directory, on a new address.
func (l *runLoop) start() {
	t := l.t
	var out syncBuffer
	stderr := &syncBuffer{}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: stderr, getenv: os.Getenv}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	args := append([]string{"run", "--repo", l.url, "--listen", "127.0.0.1:0",
		"--webhook-secret-file", l.secretFile, "--interval", "1h", "--poll-interval", "20ms",
		"--cache-dir", t.TempDir()}, l.args...)
	go func() { done <- runMain(ctx, env, args) }()
	l.stderr = stderr
	l.addr = servingAddr(t, stderr.String)
	l.stop = func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("run exited %d: %s", code, stderr.String())
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			l.stop()
		}
	})
}

func (l *runLoop) get(path string) int {
	resp, err := http.Get("http://" + l.addr + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (l *runLoop) webhook(body, sig string) int {
	l.t.Helper()
	req, _ := http.NewRequest("POST", "http://"+l.addr+"/webhook", strings.NewReader(body))
	req.Header.Set("X-GitHub-Event", "push")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", "sha256="+sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// attempted returns the revision the cluster's status last attempted, "" before any status.
func (l *runLoop) attempted(cluster string) string {
	out, err := gittest.RunErr(l.bare, nil, "show", l.statusRef+":status/"+cluster+".yaml")
	if err != nil {
		return ""
	}
	s, err := status.ParseYAML([]byte(out))
	if err != nil {
		return ""
	}
	return s.LastAttemptedRevision
}

func (l *runLoop) waitFor(what string, timeout time.Duration, cond func() bool) time.Duration {
	l.t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			l.t.Fatalf("timed out after %s waiting for %s; stderr:\n%s", timeout, what, l.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func TestRunWebhookTriggersAndCredentialsNeverLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the run loop against real git and the emulator")
	}
	l := startRunLoop(t, "")
	l.waitFor("/readyz", 30*time.Second, func() bool { return l.get("/readyz") == http.StatusOK })
	if got := l.get("/healthz"); got != http.StatusOK {
		t.Errorf("/healthz = %d", got)
	}
	first := gittest.Head(t, l.bare, "main")
	l.waitFor("the first status commit", 30*time.Second, func() bool { return l.attempted("edge") != "" })

	// A new commit, announced by webhook: the loop (interval 1h) must pick it up at once.
	l.user.Write(t, map[string]string{"clusters/edge.yaml": strings.Replace(threeClusters["clusters/edge.yaml"], "size: 1", "size: 2", 1)})
	rev := l.user.CommitAndPush(t, "edge: two nodes", 3)
	if rev == first {
		t.Fatal("push did not move the branch")
	}
	body := fmt.Sprintf(`{"ref":"refs/heads/main","after":%q}`, rev)
	if code := l.webhook(body, sign("wrong-secret", body)); code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", code)
	}
	if code := l.webhook(body, ""); code != http.StatusUnauthorized {
		t.Errorf("no signature: %d, want 401", code)
	}
	if code := l.webhook(body, sign(webhookSecret, body)); code != http.StatusAccepted {
		t.Fatalf("valid webhook: %d, want 202", code)
	}
	took := l.waitFor("the pushed revision's status", 30*time.Second, func() bool { return l.attempted("edge") == rev })
	t.Logf("webhook → status commit for the new revision (fetch, plan, apply a resize, commit): %s", took)

	var metrics string
	l.waitFor("the tick's metrics", 10*time.Second, func() bool {
		metrics = l.metrics()
		return !strings.Contains(metrics, `reconciler_ticks_total{result="planned"} 1`+"\n")
	})
	for _, m := range []string{"reconciler_ticks_total", "reconciler_status_commits_total", "reconciler_actions_applied_total"} {
		if !strings.Contains(metrics, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	// Two ticks: the first at start, the second from the valid webhook (the interval is 1h and
	// the two unauthenticated hooks must not have triggered any).
	if !strings.Contains(metrics, `reconciler_ticks_total{result="planned"} 2`) {
		t.Errorf("want exactly 2 planned ticks:\n%s", grepLines(metrics, "reconciler_ticks_total"))
	}
	l.stop()

	// Credential scan: the git token, the SCW secret key and the webhook secret appear nowhere in
	// the logs, the status files, the reports or any commit (messages and contents).
	history := gittest.Run(t, l.bare, "log", "-p", "--all", "--format=%H %an %ae %s%n%b")
	for name, secret := range map[string]string{"git token": gitToken, "SCW secret key": os.Getenv("SCW_SECRET_KEY"), "webhook secret": webhookSecret} {
		for where, text := range map[string]string{"logs": l.stderr.String(), "history": history} {
			if strings.Contains(text, secret) {
				t.Errorf("%s found in %s", name, where)
			}
		}
	}
	if !strings.Contains(history, "status/edge.yaml") || !strings.Contains(history, "reports/edge.md") {
		t.Error("the scan did not cover status and reports")
	}
}

// metrics scrapes /metrics, "" while the server is not up.
func (l *runLoop) metrics() string {
	resp, err := http.Get("http://" + l.addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return b.String()
}

// With --status-branch, status goes to that branch and the spec branch is left alone; a
// restarted process (fresh cache) reads its previous statuses there, so a first pass with
// nothing changed commits nothing. (The first process's status is written right after the
// create; the first restart may rewrite it with the cluster now ready, so the second restart is
// the one that must write nothing.)
func TestRunStatusBranchSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the run loop against real git and the emulator")
	}
	const branch = "reconciler-status"
	l := startRunLoop(t, branch)
	specHead := gittest.Head(t, l.bare, "main")
	l.waitFor("the first status commit", 30*time.Second, func() bool { return l.attempted("edge") == specHead })
	l.stop()
	firstPass := func() {
		l.t.Helper()
		l.start()
		l.waitFor("the restarted loop's first pass", 30*time.Second, func() bool {
			return strings.Contains(l.metrics(), `reconciler_ticks_total{result="planned"} 1`+"\n")
		})
		l.stop()
	}
	firstPass()
	statusHead := gittest.Head(t, l.bare, branch)
	firstPass()
	if h := gittest.Head(t, l.bare, branch); h != statusHead {
		t.Errorf("the restarted loop rewrote the status: %s head %s, want %s\n%s", branch, h, statusHead,
			gittest.Run(t, l.bare, "diff", statusHead, h))
	}
	if h := gittest.Head(t, l.bare, "main"); h != specHead {
		t.Errorf("spec branch moved to %s, want %s", h, specHead)
	}
	if _, err := gittest.RunErr(l.bare, nil, "cat-file", "-e", "main:status/edge.yaml"); err == nil {
		t.Error("status written to the spec branch")
	}
	st, err := status.ParseYAML([]byte(gittest.Show(t, l.bare, branch, "status/edge.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	if st.ObservedRevision != specHead || len(st.RecentActions) == 0 {
		t.Errorf("status after restarts: observedRevision %s, recent actions %+v; want %s and the create kept",
			st.ObservedRevision, st.RecentActions, specHead)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
