package kubelease_test

import (
	"os"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/scaleway-gitops/reconciler/pkg/kubelease"
)

// Without a control plane (client-go's fake clientset): an elector leads once it holds the
// Lease and stops leading, with the Lease released, when its context ends.
func TestLeadingFollowsTheLease(t *testing.T) {
	c := fake.NewClientset()
	a := startCandidate(t, c, "solo")
	waitFor(t, "solo to lead", 10*time.Second, a.Leading)
	a.stop()
	<-a.done
	if a.Leading() {
		t.Error("still leading after Run returned")
	}
	if h := holder(t, c); h != "" {
		t.Errorf("Lease holder after cancel = %q, want released", h)
	}
}

func TestNewRefusesBadDurations(t *testing.T) {
	_, err := kubelease.New(kubelease.Config{Client: fake.NewClientset(), Namespace: "ns",
		LeaseDuration: time.Second, RenewDeadline: 2 * time.Second})
	if err == nil {
		t.Fatal("New accepted a renew deadline longer than the lease")
	}
	if _, err := kubelease.New(kubelease.Config{Namespace: "ns"}); err == nil {
		t.Fatal("New accepted no client")
	}
	e, err := kubelease.New(kubelease.Config{Client: fake.NewClientset(), Namespace: "ns"})
	if err != nil || e.Identity() == "" || e.Leading() {
		t.Fatalf("New with defaults = identity %q leading %v, %v", e.Identity(), e.Leading(), err)
	}
}

func TestPodNamespace(t *testing.T) {
	if got := kubelease.PodNamespace(t.TempDir() + "/none"); got != "default" {
		t.Errorf("no file: %q, want default", got)
	}
	f := t.TempDir() + "/namespace"
	if err := writeFile(f, "reconciler-system\n"); err != nil {
		t.Fatal(err)
	}
	if got := kubelease.PodNamespace(f); got != "reconciler-system" {
		t.Errorf("got %q", got)
	}
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }
