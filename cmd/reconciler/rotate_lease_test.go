package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// `rotate --repo <git URL>` drains and replaces nodes: while a `run` loop holds the branch's lease
// that is a second writer (two rotations at once exceed the pools' budgets). It refuses as apply
// does, naming the holder; --dry-run and --ignore-lease go ahead.
func TestRotateRefusesWhileALoopHoldsTheLease(t *testing.T) {
	gs, _, _ := edgeOverHTTP(t, "tok-rot")
	src, err := source.New(source.Options{URL: gs.RepoURL("fleet.git"), Auth: source.Auth{Token: "tok-rot"}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	l := &gitlease.Lease{Store: src, Ref: gitlease.Ref("main"), Holder: "loop-on-host-3", Duration: time.Hour}
	if ok, err := l.Try(context.Background()); !ok || err != nil {
		t.Fatalf("take the lease: %v %v", ok, err)
	}
	code, _, stderr := cli(t, "", args("rotate", "--repo", gs.RepoURL("fleet.git"))...)
	if code != 1 || !strings.Contains(stderr, `"loop-on-host-3"`) || !strings.Contains(stderr, "--ignore-lease") {
		t.Fatalf("rotate under a live lease: exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, stderr := cli(t, "", args("rotate", "--repo", gs.RepoURL("fleet.git"), "--dry-run")...); code != 0 {
		t.Fatalf("rotate --dry-run under a live lease: exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, stderr := cli(t, "", args("rotate", "--repo", gs.RepoURL("fleet.git"), "--ignore-lease")...); code != 0 {
		t.Fatalf("rotate --ignore-lease: exit %d, stderr:\n%s", code, stderr)
	}
}
