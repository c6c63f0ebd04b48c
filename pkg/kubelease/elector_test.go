package kubelease_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/scaleway-gitops/reconciler/pkg/kubelease"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
)

var _ runner.Leadership = (*kubelease.Elector)(nil)

// Short durations for tests: lease 2s, renew deadline 1s, retry 200ms.
const (
	testLease = 2 * time.Second
	testRenew = time.Second
	testRetry = 200 * time.Millisecond
)

// candidate is one elector campaigning until stop.
type candidate struct {
	*kubelease.Elector
	stop context.CancelFunc
	done chan struct{}
}

func startCandidate(t *testing.T, c kubernetes.Interface, id string) *candidate {
	t.Helper()
	e, err := kubelease.New(kubelease.Config{Client: c, Namespace: metav1.NamespaceDefault, Name: "reconciler",
		Identity: id, LeaseDuration: testLease, RenewDeadline: testRenew, RetryPeriod: testRetry})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cd := &candidate{Elector: e, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(cd.done)
		if err := e.Run(ctx); err != nil {
			t.Errorf("%s: Run: %v", id, err)
		}
	}()
	t.Cleanup(func() { cancel(); <-cd.done })
	return cd
}

// waitFor polls cond every 10ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// overlapWatch samples the electors' Leading every millisecond and counts the samples where
// more than one led.
func overlapWatch(t *testing.T, ls ...runner.Leadership) *atomic.Int64 {
	var both atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			n := 0
			for _, l := range ls {
				if l.Leading() {
					n++
				}
			}
			if n > 1 {
				both.Add(1)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return &both
}

func holder(t *testing.T, c kubernetes.Interface) string {
	t.Helper()
	l, err := c.CoordinationV1().Leases(metav1.NamespaceDefault).Get(context.Background(), "reconciler", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// Two electors on one Lease of a real kube-apiserver: exactly one leads; cancelling the leader
// releases the Lease and the other leads well within the lease duration.
func TestOneLeaderThenHandoverOnCancel(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	a, b := startCandidate(t, env.Client, "a"), startCandidate(t, env.Client, "b")
	overlap := overlapWatch(t, a, b)

	took := waitFor(t, "a leader", 30*time.Second, func() bool { return a.Leading() || b.Leading() })
	leader, follower := a, b
	if b.Leading() {
		leader, follower = b, a
	}
	t.Logf("%s leads after %s", leader.Identity(), took.Round(time.Millisecond))
	// Several renewals later, still exactly one.
	waitFor(t, "the follower to see the leader", 10*time.Second, func() bool { return follower.Leader() == leader.Identity() })
	for deadline := time.Now().Add(3 * testLease); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if !leader.Leading() || follower.Leading() {
			t.Fatalf("leading: %s %v, %s %v; want only %s", leader.Identity(), leader.Leading(), follower.Identity(), follower.Leading(), leader.Identity())
		}
	}
	if h := holder(t, env.Client); h != leader.Identity() {
		t.Fatalf("Lease holder %q, want %q", h, leader.Identity())
	}

	leader.stop()
	handover := waitFor(t, "the follower to lead", 10*time.Second, follower.Leading)
	<-leader.done
	t.Logf("%s leads %s after %s's context was cancelled (lease duration %s)", follower.Identity(), handover.Round(time.Millisecond), leader.Identity(), testLease)
	if handover >= testLease {
		t.Errorf("handover took %s, want under the lease duration %s (the Lease is released on cancel)", handover, testLease)
	}
	if leader.Leading() {
		t.Errorf("%s still leading after its Run returned", leader.Identity())
	}
	if h := holder(t, env.Client); h != follower.Identity() {
		t.Errorf("Lease holder %q, want %q", h, follower.Identity())
	}
	if n := overlap.Load(); n != 0 {
		t.Errorf("both electors led at once in %d sample(s)", n)
	}
}
