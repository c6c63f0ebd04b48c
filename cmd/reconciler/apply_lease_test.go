package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// `apply --repo <git URL>` refuses while a `run` loop holds the branch's lease, naming the holder
// and the expiry, and goes ahead with --ignore-lease.
func TestApplyRefusesWhileALoopHoldsTheLease(t *testing.T) {
	gs, bare, _ := edgeOverHTTP(t, "tok-123")
	src, err := source.New(source.Options{URL: gs.RepoURL("fleet.git"), Auth: source.Auth{Token: "tok-123"}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	l := &gitlease.Lease{Store: src, Ref: gitlease.Ref("main"), Holder: "loop-on-host-7", Duration: time.Hour}
	if ok, err := l.Try(context.Background()); !ok || err != nil {
		t.Fatalf("take the lease: %v %v", ok, err)
	}
	rec, err := gitlease.Holding(context.Background(), src, l.Ref, time.Now())
	if err != nil || rec == nil {
		t.Fatalf("Holding = %v, %v", rec, err)
	}
	before := gittest.Head(t, bare, "main")
	code, _, stderr := cli(t, "", args("apply", "--repo", gs.RepoURL("fleet.git"), "--auto-approve")...)
	if code != 1 || !strings.Contains(stderr, `"loop-on-host-7"`) || !strings.Contains(stderr, "--ignore-lease") ||
		!strings.Contains(stderr, rec.Expires.UTC().Format(time.RFC3339)) {
		t.Fatalf("apply under a live lease: exit %d, stderr:\n%s", code, stderr)
	}
	if s := live(t); len(s.Clusters) != 0 || gittest.Head(t, bare, "main") != before {
		t.Fatalf("apply under a live lease wrote: %d cluster(s)", len(s.Clusters))
	}
	code, _, stderr = cli(t, "", args("apply", "--repo", gs.RepoURL("fleet.git"), "--auto-approve", "--ignore-lease")...)
	if code != 0 || len(live(t).Clusters) == 0 {
		t.Fatalf("apply --ignore-lease: exit %d, stderr:\n%s", code, stderr)
	}
	// Once released, apply goes ahead without the flag.
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr = cli(t, "", args("apply", "--repo", gs.RepoURL("fleet.git"), "--auto-approve")...); code != 0 {
		t.Fatalf("apply after release: exit %d, stderr:\n%s", code, stderr)
	}
}

// edgeOverHTTP starts the emulator and a smart-HTTP git server (token auth, GIT_TOKEN set) whose
// fleet.git holds the edge clusters on main; it returns the server, the bare repository and the head.
func edgeOverHTTP(t *testing.T, token string) (gs *gittest.HTTPServer, bare, rev string) {
	t.Helper()
	startEmulator(t)
	gs = gittest.NewHTTPServer(t, token)
	bare = gittest.NewBareRepo(t, gs.Root, "fleet.git")
	u := gittest.Clone(t, gs.RepoURLWithAuth("fleet.git", "u", token))
	u.Write(t, map[string]string{"clusters/edge.yaml": threeClusters["clusters/edge.yaml"]})
	rev = u.CommitAndPush(t, "add edge", 3)
	t.Setenv("GIT_TOKEN", token)
	return gs, bare, rev
}

func TestRunLeaseFlags(t *testing.T) {
	setSCWEnv(t, "http://127.0.0.1:1") // credentials set: the lease flags are what is refused
	for _, a := range [][]string{{"--lease", "etcd"}, {"--lease-duration", "1s"}} {
		code, _, stderr := cli(t, "", append([]string{"run", "--repo", "file:///nonexistent", "--listen", "", "--cache-dir", t.TempDir()}, a...)...)
		if code != 1 || !strings.Contains(stderr, a[0]) {
			t.Errorf("run %v: exit %d, stderr %q", a, code, stderr)
		}
	}
}
