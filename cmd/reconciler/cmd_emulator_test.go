package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"

	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// syncBuffer is a goroutine-safe writer for the server's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startEmulatorCmd runs `reconciler emulator` in-process and returns its URL and a stop function.
func startEmulatorCmd(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: out, stderr: out, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- runMain(ctx, env, append([]string{"emulator", "--listen", "127.0.0.1:0"}, args...)) }()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1], func() {
				cancel()
				if code := <-done; code != 0 {
					t.Errorf("emulator exit %d: %s", code, out.String())
				}
			}
		}
		select {
		case code := <-done:
			t.Fatalf("emulator exited %d: %s", code, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("emulator did not start: %s", out.String())
	return "", nil
}

func TestEmulatorCommandKeepsStateAcrossRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	url, stop := startEmulatorCmd(t, "--state", state, "--dwell", "test")
	api := k8s.NewAPI(emulatortest.NewClient(t, url))
	c, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "kept", Version: "1.35.9", Cni: k8s.CNICilium, Type: "multicloud"})
	if err != nil {
		t.Fatal(err)
	}
	stop()

	url, stop = startEmulatorCmd(t, "--state", state, "--dwell", "test")
	defer stop()
	api = k8s.NewAPI(emulatortest.NewClient(t, url))
	got, err := api.GetCluster(&k8s.GetClusterRequest{ClusterID: c.ID})
	if err != nil || got.Name != "kept" {
		t.Fatalf("after restart: %v %v", got, err)
	}
	res, err := http.Get(url + "/emulator/v1/requests")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("admin api: %v %v", res, err)
	}
	res.Body.Close()
}

// A --state in a directory that does not exist is refused at start (the emulator served, then
// logged "save state: temp file: … no such file or directory" after every change and kept
// nothing).
func TestEmulatorStateInMissingDirectoryRefused(t *testing.T) {
	state := filepath.Join(t.TempDir(), "no", "such", "emulator.json")
	var out, errb bytes.Buffer
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // a served emulator stops here
	defer cancel()
	code := runMain(ctx, env, []string{"emulator", "--state", state, "--listen", "127.0.0.1:0"})
	want := "Error: --state " + state + ": directory " + filepath.Dir(state) + " does not exist"
	if code != 1 || out.Len() != 0 || !strings.HasPrefix(errb.String(), want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q…", code, out.String(), errb.String(), want)
	}
}
