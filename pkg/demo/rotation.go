package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/engine"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// RotationSkipped is what the demo says when no cached control plane is found.
const RotationSkipped = "rotation chapter skipped: run `make k8s-testbin` to enable it"

const (
	rotationCluster = "rotate-par"
	day             = 24 * time.Hour
)

// rotation replaces a pool's over-age nodes, one per pass (budget 1), draining each through a
// real kube-apiserver (the cached test control plane) where a PodDisruptionBudget keeps one of
// two replicas Ready; the emulator mirrors its nodes there as Node objects. Skipped, with how
// to enable it, when the binaries are not cached (nothing is built here).
func (d *demo) rotation(ctx context.Context) error {
	d.title("6. Node rotation: over-age nodes replaced one at a time, drained through a real kube-apiserver under a PDB")
	if _, err := kubetest.FindBinaries(); err != nil {
		d.say("%s (%v)", RotationSkipped, err)
		return nil
	}
	return runTB(d.o.Dir, func(string, ...any) {}, func(t *demoTB) {
		if err := d.rotateWith(ctx, t); err != nil {
			t.Fatalf("%v", err)
		}
	})
}

func (d *demo) rotateWith(ctx context.Context, t *demoTB) error {
	began := time.Now()
	env := kubetest.Start(t, kubetest.Options{})
	d.say("kube-apiserver, etcd and the disruption controller ready at %s in %s", env.URL, time.Since(began).Round(100*time.Millisecond))
	emu, err := emulator.New(emulator.Options{Dwell: d.dwell(), Kubeconfig: env.Kubeconfig, Logf: func(string, ...any) {}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	apiURL := "http://" + ln.Addr().String()

	now := d.clock.Now()
	offered := offeredMinors(now)
	version := offered[oldestOffered(offered)]
	created := []time.Time{now.Add(-41 * day), now.Add(-40*day - 12*time.Hour), now.Add(-40 * day)}
	if _, err := emu.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: rotationCluster, Region: "fr-par",
		ProjectID: emulator.DefaultProjectID, Version: version, Cni: "cilium", Tags: []string{cloud.ManagedByTag},
		PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Pools: []emulator.SeedPool{{Name: "default", NodeType: "pro2_s", Zone: "fr-par-1", Size: 3, Version: version,
			UpgradePolicy: &emulator.UpgradePolicy{MaxUnavailable: 1, MaxSurge: 1}, NodeCreatedAt: created}}}}}); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	d.say("a second emulator holds %s (%s): pool default, 3 nodes aged 41, 40.5 and 40 days (maxAge 30 days), mirrored into the kube-apiserver", rotationCluster, version)

	// The workload: 2 replicas under a PDB minAvailable 1 (kubetest plays ReplicaSet and kubelet).
	c := env.Client
	reps := &kubetest.Replicas{Client: c, Namespace: "default", Prefix: "web-", Labels: map[string]string{"app": "web"}, Count: 2}
	stop := reps.Keep(t)
	defer stop()
	if err := d.waitFor(ctx, "2 ready replicas", func() bool {
		l, err := c.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		return err == nil && len(l.Items) == 2 && kubetest.IsPodReady(&l.Items[0]) && kubetest.IsPodReady(&l.Items[1])
	}); err != nil {
		return err
	}
	one := intstr.FromInt32(1)
	if _, err := c.PolicyV1().PodDisruptionBudgets("default").Create(ctx, &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &one,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create PDB: %w", err)
	}
	if err := d.waitFor(ctx, "the PDB's status", func() bool {
		p, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, "web", metav1.GetOptions{})
		return err == nil && p.Status.ObservedGeneration >= p.Generation && p.Status.CurrentHealthy == 2
	}); err != nil {
		return err
	}
	ready := kubetest.WatchReady(t, c, "default", "app=web")
	d.say("workload web: 2 Ready replicas, PodDisruptionBudget web minAvailable 1")

	// The repository: the cluster with a rotation window open now, budget 1.
	start := now.UTC().Add(-time.Minute)
	spec := fmt.Sprintf(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: %s}
spec:
  region: fr-par
  projectID: %s
  version: "%s"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - name: default
      nodeType: PRO2-S
      zone: fr-par-1
      size: 3
      rotation: {maxAge: 720h, window: {schedule: "%d %d * * *", duration: 2h, timeZone: UTC}, budget: 1, drainTimeout: 30s, onDrainTimeout: abort}
`, rotationCluster, emulator.DefaultProjectID, version, start.Minute(), start.Hour())
	bare := filepath.Join(d.o.Dir, "rotation.git")
	if _, err := newRepo(bare, filepath.Join(d.o.Dir, "rotation-work"), mapFS{"clusters/" + rotationCluster + ".yaml": spec},
		func(_ string, b []byte) []byte { return b }); err != nil {
		return err
	}
	creds := demoCredentials
	eng, err := engine.New(engine.Config{APIURL: apiURL, Credentials: &creds, UserAgentVersion: "demo", Clock: d.clock,
		PollInterval: 250 * time.Millisecond, ProgressEvery: 5 * time.Second,
		Progress: func(ev apply.Event) {
			if strings.Contains(ev.Message, "rotate-node") || strings.Contains(ev.Message, "drain") || strings.Contains(ev.Message, "evict") {
				d.say("  apply: %s", ev.Message)
			}
		}})
	if err != nil {
		return err
	}
	src, err := source.New(source.Options{URL: bare, CacheDir: filepath.Join(d.o.Dir, "rotation-cache")})
	if err != nil {
		return err
	}
	run := eng.Runner(src)
	run.Author = source.Author{Name: "reconciler", Email: "reconciler@example.com"}
	run.DefaultProjectID, run.DefaultRegion = emulator.DefaultProjectID, "fr-par"

	oldNodes := map[string]bool{}
	before, err := eng.Provider.Observe(ctx, cloud.Ref{Region: "fr-par", ProjectID: emulator.DefaultProjectID})
	if err != nil {
		return err
	}
	for _, n := range poolNodes(before) {
		oldNodes[n.ID] = true
	}
	for pass := 1; pass <= 4; pass++ {
		res, err := run.Tick(ctx, "window")
		if err != nil {
			return fmt.Errorf("rotation pass %d: %w", pass, err)
		}
		if len(res.Failed) > 0 {
			return fmt.Errorf("rotation pass %d: %s", pass, strings.Join(res.Failed, "; "))
		}
		snap, err := eng.Provider.Observe(ctx, cloud.Ref{Region: "fr-par", ProjectID: emulator.DefaultProjectID})
		if err != nil {
			return err
		}
		left := 0
		for _, n := range poolNodes(snap) {
			if oldNodes[n.ID] {
				left++
			}
		}
		d.say("pass %d: %d action(s) done; %d over-age node(s) left; Ready replicas never fewer than %d so far", pass, res.Applied, left, ready.Min())
		if left == 0 {
			break
		}
	}
	ready.Stop()
	if err := ready.Err(); err != nil {
		return err
	}
	if ready.Min() < 1 {
		return fmt.Errorf("the PDB was violated: %d Ready replica(s) at some point", ready.Min())
	}
	after, err := eng.Provider.Observe(ctx, cloud.Ref{Region: "fr-par", ProjectID: emulator.DefaultProjectID})
	if err != nil {
		return err
	}
	for _, n := range poolNodes(after) {
		if oldNodes[n.ID] {
			return errors.New("an over-age node was not replaced: " + n.Name)
		}
	}
	d.say("replicas the workload's controller started (evicted pods re-created on the remaining nodes): %s", strings.Join(reps.Created(), ", "))
	d.say("rotation done: 3 nodes replaced one per pass, each drained first; at least %d of 2 replicas stayed Ready throughout (PDB minAvailable 1)", ready.Min())
	return nil
}

// poolNodes are the nodes of the rotation cluster's pool.
func poolNodes(s *cloud.Snapshot) []cloud.Node {
	for _, c := range s.Clusters {
		if c.Name != rotationCluster {
			continue
		}
		for _, p := range c.Pools {
			if p.Name == "default" {
				return slices.Clone(p.Nodes)
			}
		}
	}
	return nil
}

func (d *demo) dwell() emulator.Dwell {
	if d.o.Dwell != nil {
		return *d.o.Dwell
	}
	return emulator.DemoDwell
}
