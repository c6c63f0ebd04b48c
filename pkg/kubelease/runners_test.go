package kubelease_test

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/examples"
	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// example is the example user repository (reconciler.yaml and clusters/dev-par.yaml, one
// node), with dev-par's pool resized to size.
func example(t *testing.T, size string) (files map[string]string, projectID string) {
	t.Helper()
	files = map[string]string{}
	for _, p := range []string{"reconciler.yaml", "clusters/dev-par.yaml"} {
		b, err := fs.ReadFile(examples.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = string(b)
	}
	files["clusters/dev-par.yaml"] = strings.Replace(files["clusters/dev-par.yaml"], "size: 1", "size: "+size, 1)
	repo, err := spec.Load(examples.FS)
	if err != nil {
		t.Fatal(err)
	}
	return files, repo.Clusters[0].Spec.ProjectID
}

// replica is one `reconciler run` process: its own git cache, provider and runner, led by
// its own elector.
type replica struct {
	*candidate
	runner  *runner.Runner
	stopRun context.CancelFunc
	runDone chan struct{}
	mu      sync.Mutex
	events  []runner.Event
}

func (r *replica) count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// stop shuts down as `run` does: the loop first, then the elector (which releases the Lease).
func (r *replica) stop() {
	r.stopRun()
	<-r.runDone
	r.candidate.stop()
	<-r.candidate.done
}

func startReplica(t *testing.T, cand *candidate, repoURL, apiURL string) *replica {
	t.Helper()
	src, err := source.New(source.Options{URL: repoURL, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := scaleway.New(scaleway.WithAPIURL(apiURL))
	if err != nil {
		t.Fatal(err)
	}
	rep := &replica{candidate: cand, runDone: make(chan struct{})}
	rep.runner = &runner.Runner{Source: src, Provider: prov, Leader: cand,
		Exec:     &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}},
		Interval: 50 * time.Millisecond, Jitter: 0.2, DriftInterval: 200 * time.Millisecond,
		DefaultRegion: "fr-par",
		Notify: func(e runner.Event) {
			rep.mu.Lock()
			rep.events = append(rep.events, e)
			rep.mu.Unlock()
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	rep.stopRun = cancel
	go func() {
		defer close(rep.runDone)
		_ = rep.runner.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-rep.runDone })
	return rep
}

// Two runners ticking concurrently on the emulator and one git remote, each led by its own
// elector on one Lease of a real kube-apiserver: the cluster is created exactly once; after the
// leader shuts down, the other takes over and applies the next change, still without a second
// create.
func TestTwoRunnersOneWriter(t *testing.T) {
	kube := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	emu := emulator.MustNew(emulator.Options{Dwell: emulator.TestDwell})
	hs := httptest.NewServer(emu.Handler())
	t.Cleanup(hs.Close)
	t.Setenv("SCW_CONFIG_PATH", filepath.Join(t.TempDir(), "none.yaml"))
	t.Setenv("SCW_ACCESS_KEY", "SCWKUBELEASETEST0000")
	t.Setenv("SCW_SECRET_KEY", "33333333-0000-4000-8000-000000000000")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", emulator.DefaultProjectID)
	t.Setenv("SCW_DEFAULT_REGION", "fr-par")
	gs := gittest.NewHTTPServer(t, "")
	bare := gittest.NewBareRepo(t, gs.Root, "fleet.git")
	user := gittest.Clone(t, gs.RepoURL("fleet.git"))
	files, project := example(t, "1")
	user.Write(t, files)
	user.CommitAndPush(t, "add dev-par", 3)

	a := startReplica(t, startCandidate(t, kube.Client, "a"), gs.RepoURL("fleet.git"), hs.URL)
	b := startReplica(t, startCandidate(t, kube.Client, "b"), gs.RepoURL("fleet.git"), hs.URL)
	overlap := overlapWatch(t, a, b)
	observer, err := scaleway.New(scaleway.WithAPIURL(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	poolSize := func() int {
		snap, err := observer.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: project})
		if err != nil {
			return -1
		}
		for _, c := range snap.Clusters {
			if c.Name == "dev-par" && c.Status == "ready" && len(c.Pools) == 1 {
				return c.Pools[0].Size
			}
		}
		return 0
	}
	statusCommits := func() int {
		n := 0
		for _, c := range gittest.Log(t, bare, "main") {
			if strings.HasPrefix(c.Subject, "status: ") {
				n++
			}
		}
		return n
	}

	took := waitFor(t, "the cluster created and its status committed", time.Minute, func() bool { return poolSize() == 1 && statusCommits() > 0 })
	leader, follower := a, b
	if b.Leading() {
		leader, follower = b, a
	}
	t.Logf("%s created the cluster in %s", leader.Identity(), took.Round(time.Millisecond))
	// Both keep ticking for a while: the follower plans (drift interval 200ms) and never applies.
	waitFor(t, "the follower to plan a few times", 30*time.Second, func() bool { return follower.count("planned") >= 5 })
	if n := follower.count("applied"); n != 0 {
		t.Errorf("the follower %s applied %d time(s)", follower.Identity(), n)
	}
	if n := follower.count("committed"); n != 0 {
		t.Errorf("the follower %s committed %d time(s)", follower.Identity(), n)
	}

	stopped := time.Now()
	leader.stop()
	handover := waitFor(t, "the follower to lead", 10*time.Second, follower.Leading)
	t.Logf("%s leads %s after %s began its shutdown (lease duration %s)", follower.Identity(), time.Since(stopped).Round(time.Millisecond), leader.Identity(), testLease)
	if time.Since(stopped) >= testLease {
		t.Errorf("handover took %s (%s after the loop stopped), want under the lease duration %s", time.Since(stopped), handover, testLease)
	}
	files, _ = example(t, "2")
	user.Write(t, files)
	user.CommitAndPush(t, "dev-par: 2 nodes", 3)
	waitFor(t, "the new leader to resize the pool", time.Minute, func() bool { return poolSize() == 2 })
	waitFor(t, "the new leader to commit the status", 30*time.Second, func() bool { return follower.count("committed") > 0 })
	if follower.count("applied") == 0 {
		t.Errorf("the resize was not applied by the new leader %s", follower.Identity())
	}

	log, err := emu.Requests()
	if err != nil {
		t.Fatal(err)
	}
	if n := log.CountOf("POST /k8s/v1/regions/{region}/clusters"); n != 1 {
		t.Errorf("POST clusters = %d, want exactly 1", n)
	}
	if n := overlap.Load(); n != 0 {
		t.Errorf("both runners' electors led at once in %d sample(s)", n)
	}
	t.Logf("requests: %d in all, %d cluster creates, %d status commits; planned a=%d b=%d, applied a=%d b=%d",
		log.Total, log.CountOf("POST /k8s/v1/regions/{region}/clusters"), statusCommits(),
		a.count("planned"), b.count("planned"), a.count("applied"), b.count("applied"))
}
