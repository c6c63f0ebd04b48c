package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// Git servers see which build fetches: go-git's agent followed by reconciler/<version>.
func TestGitRequestsNameTheReconciler(t *testing.T) {
	var mu sync.Mutex
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.UserAgent())
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer srv.Close()
	startEmulator(t)
	t.Setenv(gitAgentEnv, "") // restored after the test; nameGitClient sets it as main does
	if err := unsetenv(gitAgentEnv); err != nil {
		t.Fatal(err)
	}
	nameGitClient()
	code, _, _ := cli(t, "", args("plan", "--repo", srv.URL+"/fleet.git")...)
	if code != 1 {
		t.Fatalf("plan of a missing repository: exit %d, want 1", code)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "reconciler/" + readBuildVersion().short()
	if len(agents) == 0 || !strings.HasPrefix(agents[0], "go-git/") || !strings.HasSuffix(agents[0], " "+want) {
		t.Errorf("git user agents %q, want go-git/… %s", agents, want)
	}
}

func unsetenv(k string) error { return os.Unsetenv(k) }
