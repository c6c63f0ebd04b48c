package gitlease_test

import (
	"context"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

func newLease(t *testing.T, url, holder string, clk *clocktesting.FakeClock) *gitlease.Lease {
	t.Helper()
	src, err := source.New(source.Options{URL: url, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return &gitlease.Lease{Store: src, Ref: gitlease.Ref("main"), Holder: holder, Duration: time.Minute, Clock: clk}
}

func try(t *testing.T, l *gitlease.Lease) bool {
	t.Helper()
	ok, err := l.Try(context.Background())
	if err != nil {
		t.Fatalf("%s: Try: %v", l.Holder, err)
	}
	return ok
}

// The lease's rules on a real remote with a fake clock: one holder at a time, renewal, a holder
// that stops renewing stops leading before its expiry, takeover only after it, release.
func TestLeaseRules(t *testing.T) {
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/a.yaml": "x"}, "seed")
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	a, b := newLease(t, "file://"+bare, "a", clk), newLease(t, "file://"+bare, "b", clk)

	if !try(t, a) || !a.Leading() {
		t.Fatal("a did not acquire a free lease")
	}
	if try(t, b) || b.Leading() {
		t.Fatal("b acquired a live lease")
	}
	clk.Step(20 * time.Second)
	if !try(t, a) {
		t.Fatal("a could not renew")
	}
	// a stops renewing: it leads until expiry - margin (15 s), b waits for the expiry.
	clk.Step(44 * time.Second)
	if !a.Leading() {
		t.Fatal("a stopped leading too early")
	}
	clk.Step(2 * time.Second) // 46 s after the renewal: inside the margin
	if a.Leading() {
		t.Fatal("a still leads inside the margin")
	}
	if try(t, b) {
		t.Fatal("b took the lease before its expiry")
	}
	clk.Step(14 * time.Second) // 60 s: expired
	if !try(t, b) || !b.Leading() {
		t.Fatal("b did not take over an expired lease")
	}
	if try(t, a) || a.Leading() {
		t.Fatal("a came back while b holds the lease")
	}
	rec, err := gitlease.Holding(context.Background(), b.Store, b.Ref, clk.Now())
	if err != nil || rec == nil || rec.Holder != "b" {
		t.Fatalf("Holding = %v, %v; want b", rec, err)
	}
	if err := b.Release(context.Background()); err != nil || b.Leading() {
		t.Fatalf("Release: %v, leading %v", err, b.Leading())
	}
	if rec, _ := gitlease.Holding(context.Background(), b.Store, b.Ref, clk.Now()); rec != nil {
		t.Fatalf("released lease still live: %v", rec)
	}
	if !try(t, a) {
		t.Fatal("a could not take a released lease at once")
	}
	gittest.Fsck(t, bare)
}

func TestRecordRoundTrip(t *testing.T) {
	r := gitlease.Record{Holder: "h-1-ab", Acquired: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
	r.Expires = r.Acquired.Add(time.Minute)
	got, err := gitlease.Parse(r.Message())
	if err != nil || !got.Acquired.Equal(r.Acquired) || !got.Expires.Equal(r.Expires) || got.Holder != r.Holder {
		t.Fatalf("Parse(Message()) = %+v, %v; want %+v", got, err, r)
	}
	if _, err := gitlease.Parse("status: x\n"); err == nil {
		t.Fatal("Parse accepted a non-lease message")
	}
}

// Renewals survive the cache's compaction (the lease ref is a tip it keeps).
func TestRenewalsAcrossCompaction(t *testing.T) {
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/a.yaml": "x"}, "seed")
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	src, err := source.New(source.Options{URL: "file://" + bare, CacheDir: t.TempDir(), CompactEvery: 2})
	if err != nil {
		t.Fatal(err)
	}
	l := &gitlease.Lease{Store: src, Ref: gitlease.Ref("main"), Holder: "a", Clock: clk}
	for i := range 10 {
		if !try(t, l) {
			t.Fatalf("renewal %d lost", i)
		}
		clk.Step(20 * time.Second)
	}
	gittest.Fsck(t, bare)
}

// Run renews on the clock's timer and releases on cancellation.
func TestRunRenewsThenReleases(t *testing.T) {
	bare := gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/a.yaml": "x"}, "seed")
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	l := newLease(t, "file://"+bare, "a", clk)
	acquired := make(chan struct{}, 1)
	l.OnAcquire = func() { acquired <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	<-acquired
	for range 5 { // 100 s of renewals every 20 s: still leading, acquired once
		waitForTimer(t, clk)
		clk.Step(20 * time.Second)
	}
	waitForTimer(t, clk)
	if !l.Leading() || len(acquired) != 0 {
		t.Fatalf("after renewals: leading %v, acquired again %d", l.Leading(), len(acquired))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rec, err := gitlease.Holding(context.Background(), l.Store, l.Ref, clk.Now()); rec != nil || err != nil {
		t.Fatalf("after Run returned: %v, %v; want released", rec, err)
	}
}

// waitForTimer waits until Run is waiting on the fake clock (its round is done).
func waitForTimer(t *testing.T, clk *clocktesting.FakeClock) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !clk.HasWaiters() {
		if time.Now().After(deadline) {
			t.Fatal("Run never waited on the clock")
		}
		time.Sleep(time.Millisecond)
	}
}
