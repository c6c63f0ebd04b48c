package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Without Scaleway credentials every command that reaches the API fails at once, before any
// network I/O, with a hint naming the variables, the profile file and the emulator. The API URL
// and the git remote point at a local listener that counts connections: none may arrive.
func TestMissingCredentialsFailFastWithHint(t *testing.T) {
	var conns atomic.Int64
	hs := httptest.NewUnstartedServer(http.NotFoundHandler())
	hs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	hs.Start()
	t.Cleanup(hs.Close)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SCW_") || strings.HasPrefix(k, "SCALEWAY_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	cfg := filepath.Join(t.TempDir(), "scw", "config.yaml")
	t.Setenv("SCW_CONFIG_PATH", cfg)
	t.Setenv("SCW_API_URL", hs.URL)
	remote := hs.URL + "/acme/fleet.git"
	for _, a := range [][]string{
		{"plan", "--repo", remote},
		{"apply", "--repo", remote, "--auto-approve"},
		{"rotate", "--repo", remote},
		{"rotate", "--repo", remote, "--dry-run"},
		{"preview", "--repo", remote, "--head", "feature"},
		{"run", "--repo", remote, "--listen", "", "--cache-dir", t.TempDir()},
	} {
		var out, errb bytes.Buffer
		env := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		start := time.Now()
		code := runMain(ctx, env, a)
		took := time.Since(start)
		cancel()
		t.Logf("%s: exit %d in %s", a[0], code, took)
		stderr := errb.String()
		if code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s", a, code, stderr)
		}
		for _, want := range []string{"SCW_ACCESS_KEY", "SCW_SECRET_KEY", "SCW_DEFAULT_PROJECT_ID", cfg,
			"SCW_API_URL=http://127.0.0.1:8081", "reconciler emulator"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: the hint misses %q:\n%s", a, want, stderr)
			}
		}
		if out.Len() != 0 {
			t.Errorf("%v: stdout %q, want nothing", a, out.String())
		}
		if took > 5*time.Second { // generous: no network is involved, so this is far below
			t.Errorf("%v: took %s", a, took)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connection(s) reached the API URL or the git remote; want none", n)
	}
}

// A profile file with the keys and the project is enough: no variable is needed.
func TestCredentialsFromProfileFile(t *testing.T) {
	srv := startEmulator(t)
	_ = srv
	for _, k := range []string{"SCW_ACCESS_KEY", "SCW_SECRET_KEY", "SCW_DEFAULT_PROJECT_ID"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	profile := "access_key: SCWACCEPTANCE0000000\nsecret_key: 11111111-0000-4000-8000-000000000000\ndefault_project_id: " + testProject + "\n"
	if err := os.WriteFile(cfg, []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCW_CONFIG_PATH", cfg)
	repo := writeRepo(t, map[string]string{"clusters/.keep": ""})
	code, out, errOut := cli(t, "", args("plan", "--repo", repo)...)
	if code != 0 || !strings.Contains(out, "No changes") {
		t.Errorf("plan with a profile file: exit %d\n%s\n%s", code, out, errOut)
	}
}
