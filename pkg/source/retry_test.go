package source_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	clocktesting "k8s.io/utils/clock/testing"
)

// interloperHook installs an update hook that, for the first `times` pushes,
// moves main to a new commit while the push is in flight: a race lost on the
// server, exactly as when a user pushes between our fetch and our push.
func interloperHook(t *testing.T, repo string, times int) {
	t.Helper()
	counter := filepath.Join(t.TempDir(), "count")
	script := fmt.Sprintf(`#!/bin/sh
n=$(cat %[1]q 2>/dev/null || echo 0)
[ "$n" -ge %[2]d ] && exit 0
echo $((n+1)) > %[1]q
# Leave the push quarantine so the hook may write objects and refs.
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
export GIT_AUTHOR_NAME=Interloper GIT_AUTHOR_EMAIL=i@example.test GIT_COMMITTER_NAME=Interloper GIT_COMMITTER_EMAIL=i@example.test
tip=$(git rev-parse refs/heads/main)
c=$(echo "interloper $n" | git commit-tree "$tip^{tree}" -p "$tip")
git update-ref refs/heads/main "$c" "$tip"
`, counter, times)
	if err := os.WriteFile(filepath.Join(repo, "hooks", "update"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestCommitRebuildsOnRejectionWithBackoff(t *testing.T) {
	r := fileRemote(t)
	seed(t, r, specFiles, "add specs")
	interloperHook(t, r.repoPath, 2)
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fc := clocktesting.NewFakeClock(start)
	s := newSource(t, r, func(o *source.Options) {
		o.Clock = fc
		o.Rand = func() float64 { return 0 } // jitter factor 0.5
		o.PushRetry.Base = time.Second
		o.PushRetry.Attempts = 5
	})
	type result struct {
		rev string
		err error
	}
	res := make(chan result, 1)
	go func() {
		rev, err := s.Commit(context.Background(), map[string][]byte{"status/a.yaml": []byte("a: 1\n")}, "status", reconcilerAuthor)
		res <- result{rev, err}
	}()
	// Attempt 1 is rejected → wait base*0.5; attempt 2 rejected → 2*base*0.5.
	for _, want := range []time.Duration{500 * time.Millisecond, time.Second} {
		waitForWaiter(t, fc)
		fc.Step(want - time.Millisecond)
		if !fc.HasWaiters() {
			t.Fatalf("backoff ended before %v", want)
		}
		fc.Step(time.Millisecond)
	}
	var got result
	select {
	case got = <-res:
	case <-time.After(30 * time.Second):
		t.Fatal("Commit did not finish")
	}
	if got.err != nil {
		t.Fatalf("Commit: %v", got.err)
	}
	log := gittest.Log(t, r.repoPath, "main")
	var subjects []string
	for _, c := range log[:3] {
		subjects = append(subjects, c.Subject)
	}
	if fmt.Sprint(subjects) != "[status interloper 1 interloper 0]" || log[0].Hash != got.rev {
		t.Errorf("history = %v (head %s), want our status on top of both interlopers (rev %s)", subjects, log[0].Hash, got.rev)
	}
	if when := gittest.Run(t, r.repoPath, "log", "-1", "--format=%at", got.rev); when != fmt.Sprint(start.Add(1500*time.Millisecond).Unix()) {
		t.Errorf("commit time = %s, want the injected clock's", when)
	}
	gittest.Fsck(t, r.repoPath)
}

func TestCommitGivesUpAfterAttempts(t *testing.T) {
	r := fileRemote(t)
	seed(t, r, specFiles, "add specs")
	interloperHook(t, r.repoPath, 100)
	fc := clocktesting.NewFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := newSource(t, r, func(o *source.Options) { o.Clock = fc; o.PushRetry.Attempts = 2 })
	res := make(chan error, 1)
	go func() {
		_, err := s.Commit(context.Background(), map[string][]byte{"status/a.yaml": []byte("a")}, "status", reconcilerAuthor)
		res <- err
	}()
	waitForWaiter(t, fc)
	fc.Step(time.Minute)
	err := <-res
	var pr *source.PushRejectedError
	if !errors.As(err, &pr) || pr.Attempts != 2 || !source.IsPushRejected(err) {
		t.Errorf("err = %v, want *PushRejectedError after 2 attempts", err)
	}
}

// waitForWaiter polls until the code under test blocks on the fake clock.
func waitForWaiter(t *testing.T, fc *clocktesting.FakeClock) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !fc.HasWaiters() {
		if time.Now().After(deadline) {
			t.Fatal("Commit never waited on the clock")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
