package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// The pool replacement acceptance tests run `reconciler apply` (in-process, and as the built
// binary) against the emulator over HTTP, whose nodes are mirrored into a real kube-apiserver
// (+ the disruption controller): the old pool's drains go through the real Eviction API under a
// real PodDisruptionBudget, while kubetest.Replicas plays the Deployment's ReplicaSet, scheduler
// and kubelet (2 replicas, placed on this cluster's schedulable Ready nodes).

// replaceFixture is prod-par with pool "default" (2 × PRO2-S) whose spec moves to PRO2-M, the
// upgrade window open; in namespace ns a 2-replica workload under a PDB minAvailable 1, a watch
// of its Ready replicas, and a record of its pods' evictions.
type replaceFixture struct {
	srv   *emulator.Server
	repo  string
	ns    string
	old   cloud.Pool
	ready *kubetest.ReadyWatch
	pods  *podRecorder
	reps  *kubetest.Replicas
	stop  func()
}

// latestPatch is the emulator catalog's latest patch of minor (e.g. "1.36").
func latestPatch(t *testing.T, minor string) string {
	t.Helper()
	for _, v := range live(t).Versions {
		if strings.HasPrefix(v.Name, minor+".") {
			return v.Name
		}
	}
	t.Fatalf("the emulator's catalog offers no %s", minor)
	return ""
}

func newReplaceFixture(t *testing.T, env *kubetest.Env, ns string, dwell emulator.Dwell) *replaceFixture {
	t.Helper()
	srv := emulator.MustNew(emulator.Options{Dwell: dwell, Kubeconfig: env.Kubeconfig, Logf: t.Logf})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	setSCWEnv(t, hs.URL)
	version := latestPatch(t, "1.36")
	seedProdPar(t, srv, version, emulator.SeedPool{Name: "default", NodeType: "pro2_s", Zone: "fr-par-1", Size: 2,
		Version: version, UpgradePolicy: &emulator.UpgradePolicy{MaxUnavailable: 1, MaxSurge: 1}})
	spec := strings.Replace(prodSpecHead("1.36"), "  pools:\n", "  allowDisruptiveReplace: true\n  upgrade:\n    window: "+
		openWindow(time.Now())+"\n  pools:\n", 1) + `    - name: default
      nodeType: PRO2-M
      zone: fr-par-1
      size: 2
      rotation: {drainTimeout: 2m, onDrainTimeout: abort}
`
	f := &replaceFixture{srv: srv, repo: writeRepo(t, map[string]string{"clusters/prod-par.yaml": spec}), ns: ns, old: livePool(t)}
	c := env.Client
	ctx := context.Background()
	for _, n := range f.old.Nodes {
		eventually(t, 20*time.Second, "node "+n.Name+" in kubernetes", func() bool {
			_, err := c.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
			return err == nil
		})
	}
	createNamespace(t, c, ns)
	// Both replicas start on one old node, so that draining it needs a second eviction that
	// only the PDB (1 of 2 may go) holds back until a replica runs on the new pool.
	setUnschedulable(t, c, f.old.Nodes[1].Name, true)
	f.reps = &kubetest.Replicas{Client: c, Namespace: ns, Prefix: "web-", Labels: map[string]string{"app": "web"}, Count: 2,
		NodeLabels: map[string]string{emulator.LabelCluster: f.old.ClusterID}}
	f.stop = f.reps.Keep(t)
	eventually(t, 20*time.Second, "2 ready replicas on the old pool", func() bool {
		l, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		return err == nil && len(l.Items) == 2 && kubetest.IsPodReady(&l.Items[0]) && kubetest.IsPodReady(&l.Items[1])
	})
	setUnschedulable(t, c, f.old.Nodes[1].Name, false)
	createPDB(t, c, ns, "web", 1, 2)
	f.ready = kubetest.WatchReady(t, c, ns, "app=web")
	f.pods = recordPods(t, c, ns)
	return f
}

// poolRequests are the successful pool creations and deletions the emulator answered.
func (f *replaceFixture) poolRequests(t *testing.T) (creates int, deletes []replaceCall) {
	t.Helper()
	log, err := f.srv.Requests()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Requests {
		switch {
		case r.Status >= 300:
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/pools"):
			creates++
		case r.Method == "DELETE" && strings.Contains(r.Path, "/pools/"):
			deletes = append(deletes, replaceCall{NodeID: r.Path[strings.LastIndex(r.Path, "/")+1:], At: r.Time})
		}
	}
	return creates, deletes
}

// converged checks the end of a replacement: the plan is empty, the cluster has one pool, the
// replacement (PRO2-M, tagged with the old pool's id), created once; only the old pool was
// deleted, after every pod of its nodes was evicted; a Ready replica remained throughout and
// both run on the new pool.
func (f *replaceFixture) converged(t *testing.T, c kubernetes.Interface) {
	t.Helper()
	if code, out, errOut := cli(t, "", args("plan", "--repo", f.repo, "--detailed-exitcode")...); code != 0 {
		t.Fatalf("plan after the replacement: exit %d\n%s\n%s", code, out, errOut)
	}
	snap := live(t)
	assertNoDuplicates(t, snap)
	var pools []cloud.Pool
	for _, cl := range snap.Clusters {
		if cl.Name == "prod-par" {
			pools = cl.Pools
		}
	}
	if len(pools) != 1 || !strings.HasPrefix(pools[0].Name, "default-") || pools[0].NodeType != "pro2_m" || pools[0].Status != "ready" {
		t.Fatalf("pools = %+v, want the one replacement default-* (pro2_m), ready", pools)
	}
	if !slices.Contains(pools[0].Tags, plan.ReplacesTag(f.old.ID)) {
		t.Errorf("new pool tags %v lack %s", pools[0].Tags, plan.ReplacesTag(f.old.ID))
	}
	creates, deletes := f.poolRequests(t)
	if creates != 1 {
		t.Errorf("%d pool creations on the wire, want exactly 1", creates)
	}
	if len(deletes) == 0 {
		t.Fatal("the old pool was never deleted")
	}
	for _, d := range deletes {
		if d.NodeID != f.old.ID {
			t.Errorf("pool %s deleted: only the old pool %s may be", d.NodeID, f.old.ID)
		}
	}
	evicted := 0
	for _, n := range f.old.Nodes {
		for pod, at := range f.pods.onNode(n.Name) {
			switch {
			case at.IsZero():
				t.Errorf("pod %s on old node %s was never evicted", pod, n.Name)
			case !at.Before(deletes[0].At):
				t.Errorf("pod %s on %s evicted at %s, after the old pool's deletion at %s", pod, n.Name, at.Format(time.StampMicro), deletes[0].At.Format(time.StampMicro))
			default:
				evicted++
			}
		}
	}
	if evicted < 2 {
		t.Errorf("only %d pod(s) evicted from the old pool; the workload never ran there", evicted)
	}
	f.stop()
	if err := f.ready.Err(); err != nil {
		t.Fatal(err)
	}
	if f.ready.Min() < 1 {
		t.Errorf("the PDB was violated: %d Ready replica(s) at some point", f.ready.Min())
	}
	l, err := c.CoreV1().Pods(f.ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	newNodes := map[string]bool{}
	for _, n := range pools[0].Nodes {
		newNodes[n.Name] = true
	}
	for _, p := range l.Items {
		if !newNodes[p.Spec.NodeName] || !kubetest.IsPodReady(&p) {
			t.Errorf("pod %s on %s (ready %t), want Ready on the new pool", p.Name, p.Spec.NodeName, kubetest.IsPodReady(&p))
		}
	}
	t.Logf("watch: %d events, min %d Ready", f.ready.Events(), f.ready.Min())
}

// planSteps is the replace-pool's remaining steps in `plan -o json` ("" without one).
func planSteps(t *testing.T, repo string) string {
	t.Helper()
	code, out, errOut := cli(t, "", args("plan", "--repo", repo, "-o", "json")...)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	var p plan.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan json: %v\n%s", err, out)
	}
	for _, c := range p.Clusters {
		for _, a := range c.Actions {
			if a.Type == plan.CreatePool {
				t.Errorf("the resumed plan creates a pool: %s", a.ID)
			}
			if a.Type == plan.ReplacePool {
				if a.Details["new_pool_id"] == "" {
					t.Errorf("the resumed plan would create a second new pool: %+v", a.Details)
				}
				return a.Details["steps"]
			}
		}
	}
	return ""
}

// TestAcceptanceReplacePoolDrainsUnderPDB: `plan` lists the steps and says the nodes are drained
// respecting PDBs; `apply` creates the new pool, waits for it, cordons and drains the old pool's
// nodes one at a time through the Eviction API, and deletes the old pool; a watch sees at least
// one Ready replica throughout.
func TestAcceptanceReplacePoolDrainsUnderPDB(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{})
	f := newReplaceFixture(t, env, "replace", emulator.TestDwell)

	code, out, errOut := cli(t, "", args("plan", "--repo", f.repo)...)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"replace-pool pool/prod-par/default", "steps: create-new → wait-ready → cordon → drain → delete-old",
		"respecting PodDisruptionBudgets", "cordons the 2 node(s) of pool default"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = cli(t, "", args("apply", "--repo", f.repo, "--auto-approve")...)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("apply:\n%s", out)
	f.converged(t, env.Client)
}

// killPoint is where a replacement is interrupted, and the earliest step a re-plan may then
// start with: the emulator's transitions (and a drain already under way) go on in real time
// between the kill and the plan, so a later step is fine, an earlier one or create-new is not.
type killPoint struct {
	name string
	when func(t *testing.T, f *replaceFixture, c kubernetes.Interface) bool
	from string
}

var killPoints = []killPoint{
	{"after-create", func(t *testing.T, f *replaceFixture, _ kubernetes.Interface) bool {
		n, _ := f.poolRequests(t)
		return n > 0
	}, plan.StepWaitReady},
	{"after-wait-ready", func(t *testing.T, f *replaceFixture, c kubernetes.Interface) bool {
		return slices.ContainsFunc(f.old.Nodes, func(n cloud.Node) bool { return nodeUnschedulable(t, c, n.Name) })
	}, plan.StepCordon},
	{"mid-drain", func(t *testing.T, f *replaceFixture, _ kubernetes.Interface) bool {
		return slices.ContainsFunc(f.old.Nodes, func(n cloud.Node) bool {
			for _, at := range f.pods.onNode(n.Name) {
				if !at.IsZero() {
					return true
				}
			}
			return false
		})
	}, plan.StepDrain},
	{"after-delete", func(t *testing.T, f *replaceFixture, _ kubernetes.Interface) bool {
		_, d := f.poolRequests(t)
		return len(d) > 0
	}, plan.StepDeleteOld},
}

// resumable reports whether steps, a re-plan's, are what is left of a replacement interrupted at
// or after step from: a suffix of the steps starting no earlier, or nothing once the old pool
// is gone.
func resumable(steps, from string) bool {
	i := slices.Index(plan.ReplacementSteps, from)
	for j := i; j < len(plan.ReplacementSteps); j++ {
		if steps == strings.Join(plan.ReplacementSteps[j:], ",") {
			return true
		}
	}
	return steps == "" && from == plan.StepDeleteOld
}

// slowDwell keeps each transition long enough for a kill to land inside the step it aims at, and
// the old pool deleting long enough for the re-plan to see it (and the re-run to wait for it).
var slowDwell = emulator.Dwell{PoolScaling: 300 * time.Millisecond, NodeCreate: 300 * time.Millisecond,
	PoolDelete: 2 * time.Second, NodeDelete: 100 * time.Millisecond}

// TestAcceptanceReplacePoolResumesAfterKill interrupts `apply` at each step of the replacement:
// in-process (its context cancelled, as a SIGTERM'd process's would be) and the built binary
// with SIGKILL. The re-plan shows the steps left (never a second new pool), and a re-run
// converges: one new pool created once, the old one gone, the PDB held throughout.
func TestAcceptanceReplacePoolResumesAfterKill(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{})
	var bin string
	if !testing.Short() {
		bin = buildBinary(t)
	}
	for i, kp := range killPoints {
		for _, mode := range []string{"cancel", "sigkill"} {
			t.Run(kp.name+"/"+mode, func(t *testing.T) {
				if mode == "sigkill" && bin == "" {
					t.Skip("builds the binary")
				}
				f := newReplaceFixture(t, env, fmt.Sprintf("kill-%d-%s", i, mode), slowDwell)
				cond := func() bool { return kp.when(t, f, env.Client) }
				if mode == "cancel" {
					killInProcess(t, cond, args("apply", "--repo", f.repo, "--auto-approve")...)
				} else {
					killBinary(t, bin, cond, args("apply", "--repo", f.repo, "--auto-approve")...)
				}
				steps := planSteps(t, f.repo)
				if !resumable(steps, kp.from) {
					t.Errorf("after a kill %s the plan's steps are %q, want what is left from %s", kp.name, steps, kp.from)
				}
				t.Logf("killed %s; re-plan steps %q", kp.name, steps)
				for run := 1; ; run++ {
					code, out, errOut := cli(t, "", args("apply", "--repo", f.repo, "--auto-approve")...)
					if code != 0 {
						t.Fatalf("re-run %d: exit %d\n%s\n%s", run, code, out, errOut)
					}
					assertNoDuplicates(t, live(t))
					if c, _, _ := cli(t, "", args("plan", "--repo", f.repo, "--detailed-exitcode")...); c == 0 {
						break
					}
					if run == 5 {
						t.Fatal("no convergence in 5 re-runs")
					}
				}
				f.converged(t, env.Client)
			})
		}
	}
}

// killInProcess runs the command in-process and cancels its context as soon as cond holds.
func killInProcess(t *testing.T, cond func() bool, argv ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
	done := make(chan int, 1)
	go func() { done <- runMain(ctx, env, argv) }()
	waitCond(t, cond, done, func() { cancel() })
	if code := <-done; code == 0 {
		t.Fatalf("the run finished before it was interrupted: the test proves nothing\n%s", out.String())
	}
}

// killBinary runs the built binary and SIGKILLs it as soon as cond holds.
func killBinary(t *testing.T, bin string, cond func() bool, argv ...string) {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd := exec.Command(bin, argv...)
	cmd.Env, cmd.Stdout, cmd.Stderr = os.Environ(), &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() { _ = cmd.Wait(); done <- cmd.ProcessState.ExitCode() }()
	waitCond(t, cond, done, func() {
		if err := cmd.Process.Kill(); err != nil {
			t.Errorf("kill: %v", err)
		}
	})
	if code := <-done; code == 0 {
		t.Fatalf("the binary finished before the kill: the test proves nothing\n%s\n%s", stdout.String(), stderr.String())
	}
}

// waitCond polls cond (real server state) until it holds, then kills; a run that ends first or
// a minute without cond fails the test.
func waitCond(t *testing.T, cond func() bool, done chan int, kill func()) {
	t.Helper()
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case code := <-done:
			done <- code
			t.Fatalf("the run exited (%d) before the kill point", code)
		case <-deadline:
			kill()
			t.Fatal("kill point not reached within a minute")
		case <-time.After(2 * time.Millisecond): // polling the servers, not waiting for time
		}
	}
	kill()
}

// setUnschedulable cordons or uncordons a node, as kubectl does.
func setUnschedulable(t *testing.T, c kubernetes.Interface, node string, v bool) {
	t.Helper()
	patch := fmt.Appendf(nil, `{"spec":{"unschedulable":%t}}`, v)
	if _, err := c.CoreV1().Nodes().Patch(context.Background(), node, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestAcceptanceReplacePoolWithoutKubernetesFailsClosed: when the cluster's Kubernetes API does not
// answer (the emulator hands out a kubeconfig for its unreachable public endpoint), `apply`
// fails the replacement with the reason before any change: no new pool, the old one kept.
func TestAcceptanceReplacePoolWithoutKubernetesFailsClosed(t *testing.T) {
	srv := startEmulator(t)
	version := latestPatch(t, "1.36")
	seedProdPar(t, srv, version, emulator.SeedPool{Name: "default", NodeType: "pro2_s", Zone: "fr-par-1", Size: 2, Version: version})
	repoSpec := strings.Replace(prodSpecHead("1.36"), "  pools:\n", "  allowDisruptiveReplace: true\n  pools:\n", 1)
	repo := writeRepo(t, map[string]string{"clusters/prod-par.yaml": repoSpec + `    - name: default
      nodeType: PRO2-M
      zone: fr-par-1
      size: 2
`})
	old := livePool(t)
	code, out, errOut := cli(t, "", args("apply", "--repo", repo, "--auto-approve")...)
	if code != 1 {
		t.Fatalf("apply: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	t.Logf("apply:\n%s\n%s", out, errOut)
	if !strings.Contains(out+errOut, "does not answer") || !strings.Contains(out+errOut, "nothing was changed") {
		t.Errorf("the failure does not say why:\n%s\n%s", out, errOut)
	}
	log, err := srv.Requests()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Requests {
		if strings.Contains(r.Path, "/pools") && r.Method != "GET" {
			t.Errorf("%s %s without Kubernetes access", r.Method, r.Path)
		}
	}
	if p := livePool(t); p.ID != old.ID || len(live(t).Clusters[0].Pools) != 1 {
		t.Errorf("pools changed: %+v", live(t).Clusters[0].Pools)
	}
}
