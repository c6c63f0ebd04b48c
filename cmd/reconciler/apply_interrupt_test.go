package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// Ctrl-C during `apply --repo <git URL>`: the actions already sent go on at Scaleway, so what
// was started is still committed to status/ (with a bounded, uncancelled context), and the user
// reads one line that says it was interrupted, not a status error of a cancelled fetch.
func TestApplyInterruptedStillRecordsStatus(t *testing.T) {
	startEmulatorDwell(t, emulator.Dwell{ClusterCreate: time.Hour})
	gs, bare, _ := edgeOverHTTPStarted(t, "tok-int")
	before := gittest.Head(t, bare, "main")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errb := &syncBuffer{}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: errb, getenv: os.Getenv}
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, env, args("apply", "--repo", gs.RepoURL("fleet.git"), "--auto-approve"))
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errb.String(), "waiting for cluster") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("apply never waited on a cluster:\n%s", errb.String())
		}
		time.Sleep(10 * time.Millisecond) // polling the output of a goroutine, not waiting for time
	}
	cancel() // what SIGINT does through signal.NotifyContext
	var code int
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("apply did not stop after the interrupt:\n%s", errb.String())
	}
	stderr := errb.String()
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if strings.Contains(stderr, "status: commit status") || strings.Contains(stderr, "context canceled\n") && strings.Contains(stderr, "Error: status") {
		t.Errorf("the status was not recorded after the interrupt:\n%s", stderr)
	}
	if !strings.Contains(stderr, "interrupted") {
		t.Errorf("no line says the apply was interrupted:\n%s", stderr)
	}
	after := gittest.Head(t, bare, "main")
	if after == before {
		t.Fatalf("no status commit after the interrupt:\n%s", stderr)
	}
	if files := gittest.Run(t, bare, "ls-tree", "-r", "--name-only", after, "status/"); !strings.Contains(files, "status/") {
		t.Fatalf("status commit holds no status file: %q", files)
	}
}

// edgeOverHTTPStarted is edgeOverHTTP with an emulator the caller already started.
func edgeOverHTTPStarted(t *testing.T, token string) (gs *gittest.HTTPServer, bare, rev string) {
	t.Helper()
	gs = gittest.NewHTTPServer(t, token)
	bare = gittest.NewBareRepo(t, gs.Root, "fleet.git")
	u := gittest.Clone(t, gs.RepoURLWithAuth("fleet.git", "u", token))
	u.Write(t, map[string]string{"clusters/edge.yaml": threeClusters["clusters/edge.yaml"]})
	rev = u.CommitAndPush(t, "add edge", 3)
	t.Setenv("GIT_TOKEN", token)
	return gs, bare, rev
}
