package main

import (
	"context"
	"encoding/json"
	"errors"

	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

func TestHealthFlagsLogger(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{nil, ""},
		{[]string{"--log-format", "json", "--log-level", "debug"}, ""},
		{[]string{"--log-format", "xml"}, "--log-format"},
		{[]string{"--log-level", "loud"}, "--log-level"},
		{[]string{"--ready-failures", "0"}, "--ready-failures"},
	} {
		var h healthFlags
		fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
		h.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		_, err := h.logger(io.Discard)
		if got := ""; err != nil && !strings.Contains(err.Error(), tc.wantErr) || err == nil && tc.wantErr != got {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.wantErr)
		}
	}
	var h healthFlags
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	h.register(fs)
	if err := fs.Parse([]string{"--log-level", "warn"}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	log, err := h.logger(&b)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("quiet")
	log.Error("loud")
	if got := b.String(); strings.Contains(got, "quiet") || !strings.Contains(got, "level=ERROR msg=loud") {
		t.Errorf("warn level, text format logged %q", got)
	}
}

// A run whose every pass fails (the API refuses the observation) logs the failure at ERROR in
// JSON, answers /readyz 503 with the reason, and says why it shuts down.
func TestRunLogsFailuresAtErrorAsJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the run loop against real git and the emulator")
	}
	emu := startEmulator(t)
	if err := emu.FailNext(emulator.FailNext{Method: "GET", Pattern: "/k8s/v1/regions/{region}/clusters", Count: 1000, Status: 403}); err != nil {
		t.Fatal(err)
	}
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/edge.yaml": threeClusters["clusters/edge.yaml"]}, "add edge")
	l := &runLoop{t: t, stderr: &syncBuffer{}}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: l.stderr, getenv: os.Getenv}
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan int)
	go func() {
		done <- runMain(ctx, env, []string{"run", "--repo", bare, "--listen", "127.0.0.1:0", "--interval", "1h",
			"--cache-dir", t.TempDir(), "--log-format", "json", "--ready-failures", "1"})
	}()
	stopped := false
	defer func() {
		if !stopped {
			cancel(errors.New("test over"))
			<-done
		}
	}()
	l.addr = servingAddr(t, l.stderr.String)

	var failure map[string]any
	l.waitFor("the failure logged", 30*time.Second, func() bool {
		for _, line := range strings.Split(l.stderr.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["event"] == "error" {
				failure = rec
				return true
			}
		}
		return false
	})
	if msg, _ := failure["msg"].(string); failure["level"] != "ERROR" || !strings.Contains(msg, "quota exceeded") {
		t.Errorf("failure logged as %v, want level ERROR with the API's message", failure)
	}
	// The tick records its outcome just after logging it.
	var code int
	var body string
	l.waitFor("/readyz to give the failure", 10*time.Second, func() bool {
		resp, err := http.Get("http://" + l.addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		code, body = resp.StatusCode, string(b)
		return strings.Contains(body, "quota exceeded")
	})
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "not synced yet") {
		t.Errorf("/readyz = %d %q, want 503, not synced, with the reason", code, body)
	}

	cancel(errors.New("terminated signal received"))
	stopped = true
	if code := <-done; code != 0 {
		t.Errorf("run exited %d", code)
	}
	if !strings.Contains(l.stderr.String(), `"msg":"shutting down: terminated signal received"`) {
		t.Errorf("no shutdown line:\n%s", l.stderr.String())
	}
}
