package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// The commands that drain (run, apply, rotate) take --kubeconfig-endpoint, default public; a
// value other than public or vpc is refused with the flag's name before any I/O (the missing
// repository is never reached).
func TestKubeconfigEndpointFlag(t *testing.T) {
	for _, cmd := range []string{"run", "apply", "rotate"} {
		_, out, _ := runCmd(t, cmd, "-h")
		if !strings.Contains(out, "--kubeconfig-endpoint string") || !strings.Contains(out, `(default "public")`) {
			t.Errorf("%s -h has no --kubeconfig-endpoint defaulting to public:\n%s", cmd, out)
		}
		repo := "/nonexistent"
		if cmd == "run" {
			repo = "https://git.invalid/nonexistent.git"
		}
		code, stdout, stderr := runCmd(t, cmd, "--repo", repo, "--kubeconfig-endpoint", "private")
		if code != 1 || stdout != "" || !strings.Contains(stderr, `Error: --kubeconfig-endpoint "private": use public or vpc`) ||
			strings.Contains(stderr, "nonexistent") {
			t.Errorf("%s --kubeconfig-endpoint private: exit %d, stdout %q, stderr %q", cmd, code, stdout, stderr)
		}
	}
	if _, out, _ := runCmd(t, "plan", "-h"); strings.Contains(out, "--kubeconfig-endpoint") {
		t.Error("plan (which never drains) takes --kubeconfig-endpoint")
	}
}

// endpointRecorder serves the emulator and records the endpoint query of every kubeconfig read.
type endpointRecorder struct {
	mu        sync.Mutex
	endpoints []string
}

func startRecordingEmulator(t *testing.T) (*emulator.Server, *endpointRecorder) {
	t.Helper()
	srv := emulator.MustNew(emulator.Options{Dwell: emulator.TestDwell, Logf: t.Logf})
	rec := &endpointRecorder{}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/kubeconfig") {
			rec.mu.Lock()
			rec.endpoints = append(rec.endpoints, r.URL.Query().Get("endpoint"))
			rec.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	setSCWEnv(t, hs.URL)
	return srv, rec
}

func (rec *endpointRecorder) last(t *testing.T) string {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.endpoints) == 0 {
		t.Fatal("no kubeconfig read reached the API")
	}
	return rec.endpoints[len(rec.endpoints)-1]
}

// The flag's value is what the kubeconfig reads of drains ask the API (the emulator, over HTTP):
// apply's and rotate's wiring and run's alike.
func TestKubeconfigEndpointReachesTheAPI(t *testing.T) {
	srv, rec := startRecordingEmulator(t)
	res, err := srv.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "locked", Version: "1.36.5", ProjectID: testProject}}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Clusters[0].ID
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{}, getenv: os.Getenv}
	kubeconfig := func(p cloud.Provider) {
		t.Helper()
		if _, err := p.Kubeconfig(t.Context(), "fr-par", id); err != nil {
			t.Fatalf("kubeconfig: %v", err)
		}
	}

	for _, endpoint := range []string{"vpc", "public"} {
		r, err := wireReconciler(env, &pipelineFlags{kubeconfigEndpoint: endpoint})
		if err != nil {
			t.Fatal(err)
		}
		kubeconfig(r.Provider)
		if got := rec.last(t); got != endpoint {
			t.Errorf("apply/rotate --kubeconfig-endpoint %s: the API was asked for endpoint %q", endpoint, got)
		}
	}

	f, code := parseRunFlags(env, []string{"--repo", "file://" + t.TempDir(), "--cache-dir", t.TempDir(), "--kubeconfig-endpoint", "vpc"})
	if f == nil {
		t.Fatalf("run flags: exit %d", code)
	}
	run, _, err := newRunner(env, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig(run.Provider)
	if got := rec.last(t); got != "vpc" {
		t.Errorf("run --kubeconfig-endpoint vpc: the API was asked for endpoint %q", got)
	}
}
