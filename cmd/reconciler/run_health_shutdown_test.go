package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// SIGTERM while a pass waits for a cluster it created: run exits 0 at once with the shutdown
// line, releases its git lease (a replica takes over without waiting for it to expire) and
// commits nothing of the cut-short pass (no status written from a half-done apply).
func TestRunSIGTERMDuringAPassReleasesTheLeaseAndCommitsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the run loop against git over HTTP and the emulator")
	}
	emu := startEmulatorDwell(t, emulator.Dwell{ClusterCreate: time.Hour}) // the create's wait never ends by itself
	gs := gittest.NewHTTPServer(t, "")
	bare := gittest.NewBareRepo(t, gs.Root, "fleet.git")
	seed := gittest.Seed(t, bare, map[string]string{"clusters/edge.yaml": threeClusters["clusters/edge.yaml"]}, "add edge")
	url := gs.RepoURL("fleet.git")

	l := &runLoop{t: t, stderr: &syncBuffer{}}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: l.stderr, getenv: os.Getenv}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(errors.New("test over"))
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, env, []string{"run", "--repo", url, "--listen", "127.0.0.1:0", "--interval", "1h",
			"--poll-interval", "20ms", "--cache-dir", t.TempDir(), "--lease-duration", "1h"})
	}()
	l.addr = servingAddr(t, l.stderr.String)

	l.waitFor("the create-cluster request", 60*time.Second, func() bool {
		log, err := emu.Requests()
		return err == nil && log.Counts["POST /k8s/v1/regions/{region}/clusters"] > 0
	})
	src, err := source.New(source.Options{URL: url, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := gitlease.Holding(t.Context(), src, gitlease.Ref("main"), time.Now()); err != nil || rec == nil {
		t.Fatalf("lease during the pass = %+v, %v; want it held", rec, err)
	}

	cancel(errors.New("terminated signal received"))
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exited %d, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run still running 30s after SIGTERM")
	}
	out := l.stderr.String()
	if !strings.Contains(out, "shutting down: terminated signal received") {
		t.Errorf("no shutdown line:\n%s", out)
	}
	if rec, err := gitlease.Holding(t.Context(), src, gitlease.Ref("main"), time.Now()); err != nil || rec != nil {
		t.Errorf("lease after shutdown = %+v, %v; want it released (a 1h lease would hold the branch an hour)", rec, err)
	}
	if h := gittest.Head(t, bare, "main"); h != seed {
		t.Errorf("main moved to %s after SIGTERM mid-pass: %s", h, gittest.Run(t, bare, "log", "--oneline", "-3", "main"))
	}
	if strings.Contains(out, "tick failed") || strings.Contains(out, `level=ERROR`) {
		t.Errorf("the cut-short pass was reported as a failure:\n%s", out)
	}
}
