package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/forge/giteatest"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
)

// TestPreviewOnGitea is the whole pull-request flow on a real Gitea: a repository, a base and a
// PR branch pushed over Gitea's git HTTP with the token, a pull request opened through the API,
// then `preview --post` run against the Gitea clone URL. The second run edits the one preview
// comment; the head gets a success status; a broken follow-up commit turns it into a failure
// with the errors in the (same) comment; no token is ever printed or posted.
func TestPreviewOnGitea(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Gitea server")
	}
	g := giteatest.Start(t)
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")

	cloneURL := g.CreateRepo(t, "fleet")
	u := gittest.Clone(t, g.AuthURL(cloneURL))
	u.Write(t, prodSpec("1.35", "web"))
	u.CommitAndPush(t, "base", 3)
	head := u.PushBranch(t, "upgrade-1.36", prodSpec("1.36", "web", "batch"), "upgrade to 1.36, add batch")
	pr := g.CreatePull(t, "fleet", "upgrade-1.36", "main", "Upgrade prod-par to 1.36")

	t.Setenv("GIT_TOKEN", g.Token)
	t.Setenv("FORGE_TOKEN", g.Token)
	post := func(now string) (int, string, string) {
		return cli(t, "", pargs("preview", "--repo", cloneURL, "--base", "main", "--head", "upgrade-1.36",
			"--post", "--forge", "gitea", "--pr", strconv.Itoa(pr), "--now", now, "--detailed-exitcode")...)
	}
	var printed []string
	for i, now := range []string{"2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z"} {
		code, out, errOut := post(now)
		printed = append(printed, out, errOut)
		if code != 2 {
			t.Fatalf("run %d: exit %d, want 2 (changes)\nstdout:\n%s\nstderr:\n%s", i, code, out, errOut)
		}
	}
	cs := g.Comments(t, "fleet", pr)
	if len(cs) != 1 {
		t.Fatalf("%d comments on the pull request, want exactly one preview", len(cs))
	}
	c := cs[0]
	if !strings.HasPrefix(c.Body, preview.Marker) || !strings.Contains(c.Body, "2026-11-26T11:00:00Z") ||
		!strings.Contains(c.Body, "adds 3 actions") || c.User.Login != g.Admin {
		t.Errorf("the preview comment is not the second run's:\n%s", c.Body)
	}
	if !strings.Contains(printed[3], "Preview comment updated") {
		t.Errorf("second run did not edit the comment: %s", printed[3])
	}
	st := g.Statuses(t, "fleet", head)
	if len(st) == 0 || st[0].State != "success" || st[0].Context != "reconciler/preview" || !strings.Contains(st[0].TargetURL, "issuecomment") {
		t.Errorf("statuses of %s = %+v, want success linking to the comment", head, st)
	}

	// a broken follow-up commit: the same comment now lists the errors, the new head fails
	u.Write(t, map[string]string{"clusters/prod-par.yaml": prodSpec("1.36", "web", "batch")["clusters/prod-par.yaml"] + "  colour: blue\n"})
	gittest.Run(t, u.Dir, "commit", "--quiet", "-am", "oops")
	gittest.Run(t, u.Dir, "push", "--quiet", "origin", "HEAD:refs/heads/upgrade-1.36")
	broken := gittest.Run(t, u.Dir, "rev-parse", "HEAD")
	code, out, errOut := post("2026-11-26T12:00:00Z")
	printed = append(printed, out, errOut)
	if code != 1 {
		t.Errorf("broken head: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	cs = g.Comments(t, "fleet", pr)
	if len(cs) != 1 || cs[0].ID != c.ID || !strings.Contains(cs[0].Body, "clusters/prod-par.yaml:") || !strings.Contains(cs[0].Body, "colour") {
		t.Errorf("after the broken commit: %d comments, want the one preview listing the error:\n%+v", len(cs), cs)
	}
	if st := g.Statuses(t, "fleet", broken); len(st) == 0 || st[0].State != "failure" || !strings.Contains(st[0].Description, "spec error") {
		t.Errorf("statuses of the broken head = %+v, want failure", st)
	}
	for _, p := range printed {
		if strings.Contains(p, g.Token) {
			t.Fatalf("the token was printed:\n%s", p)
		}
	}
	for _, c := range g.Comments(t, "fleet", pr) {
		if strings.Contains(c.Body, g.Token) {
			t.Fatal("the token was posted")
		}
	}
}

// TestRunPreviewsPullRequestsOnGiteaWebhook: `run --preview-forge gitea` receives Gitea's signed
// pull_request webhook on its listener and posts the preview and the commit status by itself.
func TestRunPreviewsPullRequestsOnGiteaWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Gitea server")
	}
	g := giteatest.Start(t)
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	cloneURL := g.CreateRepo(t, "fleet")
	u := gittest.Clone(t, g.AuthURL(cloneURL))
	u.Write(t, prodSpec("1.35", "web"))
	u.CommitAndPush(t, "base", 3)
	head := u.PushBranch(t, "add-batch", prodSpec("1.35", "web", "batch"), "add batch")

	const secret = "pr-hook-secret"
	secretFile := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_TOKEN", g.Token)
	t.Setenv("FORGE_TOKEN", g.Token)
	stderr := &syncBuffer{}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: stderr, getenv: os.Getenv}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, env, []string{"run", "--repo", cloneURL, "--listen", "127.0.0.1:0", "--webhook-secret-file", secretFile,
			"--interval", "1h", "--poll-interval", "20ms", "--cache-dir", t.TempDir(), "--preview-forge", "gitea"})
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("run exited %d: %s", code, stderr.String())
		}
	}
	t.Cleanup(stop)
	addr := servingAddr(t, stderr.String)
	waitUntil(t, "run's listener", 30*time.Second, stderr, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})

	g.API(t, "POST", "/repos/"+g.Admin+"/fleet/hooks", map[string]any{"type": "gitea", "active": true,
		"events": []string{"pull_request"},
		"config": map[string]string{"url": "http://" + addr + "/webhook", "content_type": "json", "secret": secret}}, nil)
	pr := g.CreatePull(t, "fleet", "add-batch", "main", "Add a batch pool")

	waitUntil(t, "the preview comment and status", 90*time.Second, stderr, func() bool {
		cs := g.Comments(t, "fleet", pr)
		st := g.Statuses(t, "fleet", head)
		return len(cs) == 1 && len(st) > 0
	})
	cs := g.Comments(t, "fleet", pr)
	if !strings.HasPrefix(cs[0].Body, preview.Marker) || !strings.Contains(cs[0].Body, "`create-pool` `pool/prod-par/batch`") {
		t.Errorf("preview comment:\n%s", cs[0].Body)
	}
	if st := g.Statuses(t, "fleet", head); st[0].State != "success" {
		t.Errorf("status = %+v, want success", st[0])
	}
	stop()
	if strings.Contains(stderr.String(), g.Token) {
		t.Error("run printed the token")
	}
}

func waitUntil(t *testing.T, what string, timeout time.Duration, log *syncBuffer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; stderr:\n%s", timeout, what, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
