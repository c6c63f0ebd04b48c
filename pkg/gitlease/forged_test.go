package gitlease_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// pushLease writes a lease record as anyone who can push would: a commit on the lease ref, made
// with the git CLI and pushed over smart HTTP.
func pushLease(t *testing.T, user *gittest.User, ref, msg string) {
	t.Helper()
	tree := strings.TrimSpace(gittest.Run(t, user.Dir, "mktree"))
	c := strings.TrimSpace(gittest.Run(t, user.Dir, "commit-tree", tree, "-m", msg))
	gittest.Run(t, user.Dir, "push", "--quiet", "--force", "origin", c+":"+ref)
}

// A lease record pushed by someone who can commit, with an expiry years ahead, made every loop a
// follower for good without a word: Try said "not held" and nothing was logged. The lease is
// still never taken over (one writer, fail closed), but Try now fails with an error naming the
// ref, the holder, the expiry and what to do, and a live lease of another holder is logged once.
func TestForgedLeaseFarAheadIsReported(t *testing.T) {
	gs := gittest.NewHTTPServer(t, "")
	gittest.NewBareRepo(t, gs.Root, "fleet.git")
	url := gs.RepoURL("fleet.git")
	user := gittest.Clone(t, url)
	user.Write(t, map[string]string{"clusters/a.yaml": "x"})
	user.CommitAndPush(t, "seed", 3)
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	src, err := source.New(source.Options{URL: url, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	l := &gitlease.Lease{Store: src, Ref: gitlease.Ref("main"), Holder: "loop-a", Duration: time.Minute, Clock: clk,
		Log: slog.New(slog.NewTextHandler(&logs, nil))}

	// Another loop's honest lease: not ours, said once.
	pushLease(t, user, l.Ref, gitlease.Record{Holder: "loop-b", Acquired: clk.Now(), Expires: clk.Now().Add(time.Minute)}.Message())
	for range 2 {
		if ok, err := l.Try(context.Background()); ok || err != nil {
			t.Fatalf("Try under loop-b's live lease = %v, %v; want false, nil", ok, err)
		}
	}
	if n := strings.Count(logs.String(), `holder=loop-b`); n != 1 {
		t.Errorf("logs %q: want loop-b's lease named once", logs.String())
	}

	// A forged one, expiring in 9999.
	forged := gitlease.Record{Holder: "ops", Acquired: clk.Now(), Expires: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	pushLease(t, user, l.Ref, forged.Message())
	ok, err := l.Try(context.Background())
	if ok || l.Leading() {
		t.Fatal("a forged lease was taken over")
	}
	var fe *gitlease.ImplausibleError
	if !errors.As(err, &fe) || !errors.Is(err, gitlease.ErrHeld) {
		t.Fatalf("Try under a lease expiring in 9999: err = %v, want an *ImplausibleError wrapping ErrHeld", err)
	}
	for _, want := range []string{l.Ref, `"ops"`, "9999-01-01", "delete the ref"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// Deleting the ref, as the error says, frees it.
	gittest.Run(t, user.Dir, "push", "--quiet", "origin", ":"+l.Ref)
	if ok, err := l.Try(context.Background()); !ok || err != nil {
		t.Fatalf("Try after the forged ref was deleted = %v, %v; want the lease", ok, err)
	}
}

// A shard lease pushed with an expiry years ahead kept its shard's clusters without a reconciler
// and nothing said so; the shard is still never taken, and each round now logs it.
func TestForgedShardLeaseFarAheadIsReported(t *testing.T) {
	gs := gittest.NewHTTPServer(t, "")
	gittest.NewBareRepo(t, gs.Root, "fleet.git")
	url := gs.RepoURL("fleet.git")
	user := gittest.Clone(t, url)
	user.Write(t, map[string]string{"clusters/a.yaml": "x"})
	user.CommitAndPush(t, "seed", 3)
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	pushLease(t, user, gitlease.ShardRef("main", 1),
		gitlease.Record{Holder: "ops", Acquired: clk.Now(), Expires: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}.Message())
	src, err := source.New(source.Options{URL: url, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	set := &gitlease.ShardSet{Store: src, Branch: "main", Holder: "loop-a", Count: 2, Duration: 30 * time.Second, Clock: clk,
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	for range 3 {
		if err := set.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Step(10 * time.Second)
	}
	if held := set.Shards().Held; slices.Contains(held, 1) {
		t.Fatalf("held %v: the forged shard lease was taken over", held)
	}
	if !strings.Contains(logs.String(), gitlease.ShardRef("main", 1)) || !strings.Contains(logs.String(), "9999-01-01") ||
		!strings.Contains(logs.String(), "delete the ref") {
		t.Errorf("logs %q: want the forged shard lease named, with its expiry and what to do", logs.String())
	}
}
