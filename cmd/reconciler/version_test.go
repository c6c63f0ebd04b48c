package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/forge/forgetest"
)

func TestVersionCommand(t *testing.T) {
	code, out, _ := runCmd(t, "version")
	if code != 0 || !strings.HasPrefix(out, "reconciler ") || !strings.Contains(out, runtime.Version()) || !strings.Contains(out, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Errorf("version: exit %d, %q", code, out)
	}
	code, out, _ = runCmd(t, "version", "-o", "json")
	var v buildVersion
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.GoVersion != runtime.Version() || v.Version == "" || v.FormatVersion != "1" {
		t.Errorf("version -o json: exit %d, %+v, %v", code, v, err)
	}
	if code, _, stderr := runCmd(t, "version", "-o", "yaml"); code != 1 || !strings.Contains(stderr, `unknown output format "yaml"`) {
		t.Errorf("version -o yaml: exit %d, %q", code, stderr)
	}
}

func TestShortVersion(t *testing.T) {
	for _, tc := range []struct {
		v    buildVersion
		want string
	}{
		{buildVersion{Version: "v1.2.0", Commit: "ac3d6ba1f2e4aaaabbbbccccddddeeeeffff0000"}, "v1.2.0+ac3d6ba1f2e4"},
		{buildVersion{Version: "v0.0.0-20261203084655-ac3d6ba1f2e4", Commit: "ac3d6ba1f2e4aaaabbbbccccddddeeeeffff0000"}, "v0.0.0-20261203084655-ac3d6ba1f2e4"},
		{buildVersion{Version: "devel", Commit: "ac3d6ba1f2e4aaaabbbbccccddddeeeeffff0000", Modified: true}, "devel+ac3d6ba1f2e4.dirty"},
		{buildVersion{Version: "devel"}, "devel"},
	} {
		if got := tc.v.short(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.v, got, tc.want)
		}
	}
}

// The version `reconciler version` prints is the one every Scaleway API request carries in its
// user agent (seen here by a proxy in front of the emulator).
func TestUserAgentNamesTheVersion(t *testing.T) {
	srv := emulator.MustNew(emulator.Options{Dwell: emulator.TestDwell, Logf: t.Logf})
	var mu sync.Mutex
	agents := map[string]bool{}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()] = true
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	setSCWEnv(t, hs.URL)
	repo := writeRepo(t, prodSpec("1.35", "web"))
	if code, _, errOut := cli(t, "", args("plan", "--repo", repo)...); code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	want := "reconciler/" + readBuildVersion().short()
	mu.Lock()
	defer mu.Unlock()
	if len(agents) == 0 {
		t.Fatal("no request reached the API")
	}
	for ua := range agents {
		if !strings.Contains(ua, want) {
			t.Errorf("user agent %q does not name %q", ua, want)
		}
	}
}

// The forge clients (preview --post, run's previews) send the same user agent.
func TestForgeUserAgentNamesTheVersion(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.3", "web")
	url, _, _ := pullRequest(t, prodSpec("1.35", "web"), prodSpec("1.35", "web", "batch"), "more")
	gh := forgetest.NewGitHub(t, "acme", "fleet", "preview-bot")
	target, err := neturl.Parse(gh.URL)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	agents := map[string]bool{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()] = true
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	t.Setenv("FORGE_TOKEN", "tok")
	code, _, errOut := cli(t, "", pargs("preview", "--repo", url, "--head", "refs/pull/1/head", "--post", "--forge", "github",
		"--forge-url", hs.URL, "--forge-repo", "acme/fleet", "--pr", "1")...)
	if code != 0 {
		t.Fatalf("preview --post: exit %d\n%s", code, errOut)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "reconciler/" + readBuildVersion().short()
	if len(agents) != 1 || !agents[want] {
		t.Errorf("forge user agents %v, want only %q", agents, want)
	}
}
