package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

// `run --leader-elect --kubeconfig`: the process takes the Lease, applies and commits as the
// leader, and releases the Lease when it shuts down.
func TestRunLeaderElectHoldsAndReleasesTheLease(t *testing.T) {
	kube := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kube.Kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	l := startRunLoop(t, "", "--leader-elect", "--kubeconfig", kubeconfig, "--leader-elect-name", "fleet",
		"--leader-elect-lease-duration", "2s", "--leader-elect-renew-deadline", "1s", "--leader-elect-retry-period", "200ms")
	head := gittest.Head(t, l.bare, "main")
	l.waitFor("the leader's first status commit", 30*time.Second, func() bool { return l.attempted("edge") == head })
	holder := func() string {
		lease, err := kube.Client.CoordinationV1().Leases(metav1.NamespaceDefault).Get(context.Background(), "fleet", metav1.GetOptions{})
		if err != nil || lease.Spec.HolderIdentity == nil {
			return ""
		}
		return *lease.Spec.HolderIdentity
	}
	host, _ := os.Hostname()
	if h := holder(); !strings.HasPrefix(h, host+"_") {
		t.Fatalf("Lease default/fleet held by %q, want %s_<random>", h, host)
	}
	if _, err := gittest.RunErr(l.bare, nil, "show-ref", "--verify", "refs/reconciler/lease/main"); err == nil {
		t.Error("--leader-elect also took the git lease")
	}
	l.stop()
	if h := holder(); h != "" {
		t.Errorf("Lease still held by %q after run returned, want released", h)
	}
}

// A second `run` on the cache directory of a running one is refused at start.
func TestRunRefusesASharedCacheDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the run loop against real git and the emulator")
	}
	cache := t.TempDir()
	l := startRunLoop(t, "", "--cache-dir", cache)
	l.waitFor("the first loop to serve", 30*time.Second, func() bool { return l.get("/healthz") == 200 })
	var stderr syncBuffer
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &stderr, getenv: os.Getenv}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := runMain(ctx, env, []string{"run", "--repo", l.url, "--listen", "", "--cache-dir", cache})
	if code != 1 || !strings.Contains(stderr.String(), "in use by another reconciler process") {
		t.Fatalf("second run on the same cache: exit %d, stderr:\n%s\nwant 1 and the cache refused", code, stderr.String())
	}
	t.Log(strings.TrimSpace(stderr.String()))
}

// Out of a cluster, --leader-elect without --kubeconfig fails at start and says what to give.
func TestRunLeaderElectOutOfClusterNeedsKubeconfig(t *testing.T) {
	startEmulator(t)
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	var stderr syncBuffer
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &stderr, getenv: os.Getenv}
	code := runMain(context.Background(), env, []string{"run", "--repo", "https://git.example.com/fleet.git",
		"--listen", "", "--cache-dir", t.TempDir(), "--leader-elect"})
	if code != 1 || !strings.Contains(stderr.String(), "--leader-elect: not running in a cluster (give --kubeconfig)") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	t.Log(strings.TrimSpace(stderr.String()))
}
