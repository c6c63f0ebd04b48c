package gitlease_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

const project = emulator.DefaultProjectID

const clusterYAML = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: lease-par}
spec:
  region: fr-par
  projectID: ` + project + `
  version: "1.35"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools: [{name: web, nodeType: PRO2-S, zone: fr-par-1, size: SIZE}]
`

// loop is one `run` process: its own source cache, lease and runner, on the shared clock.
type loop struct {
	name   string
	lease  *gitlease.Lease
	runner *runner.Runner
	wrote  int // ticks that applied or committed
}

// fleet is two loops on one repository and one emulator (100 ms per API call).
type fleet struct {
	t     *testing.T
	emu   *emulator.Server
	prov  *scaleway.Provider
	bare  string
	user  *gittest.User
	clock *clocktesting.FakeClock
	loops [2]*loop
}

func newFleet(t *testing.T, overHTTP bool) *fleet {
	t.Helper()
	em := emulatortest.Start(t, emulator.Options{Dwell: emulator.TestDwell, Logf: t.Logf})
	emu := em.Server
	if err := emu.SetFaults(emulator.Faults{Latency: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	prov, err := scaleway.New(scaleway.WithClient(em.Client))
	if err != nil {
		t.Fatal(err)
	}
	var bare, url string
	if overHTTP {
		gs := gittest.NewHTTPServer(t, "")
		bare, url = gittest.NewBareRepo(t, gs.Root, "fleet.git"), gs.RepoURL("fleet.git")
	} else {
		bare = gittest.NewBareRepo(t, t.TempDir(), "fleet.git")
		url = "file://" + bare
	}
	user := gittest.Clone(t, url)
	user.Write(t, map[string]string{"clusters/lease-par.yaml": strings.Replace(clusterYAML, "SIZE", "2", 1)})
	user.CommitAndPush(t, "add lease-par", 3)
	f := &fleet{t: t, emu: emu, prov: prov, bare: bare, user: user,
		clock: clocktesting.NewFakeClock(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))}
	for i, name := range []string{"a", "b"} {
		src, err := source.New(source.Options{URL: url, CacheDir: t.TempDir(), Clock: f.clock})
		if err != nil {
			t.Fatal(err)
		}
		// The lease has its own cache, as `run` wires it: renewals never wait behind a status push.
		lsrc, err := source.New(source.Options{URL: url, CacheDir: t.TempDir(), Clock: f.clock})
		if err != nil {
			t.Fatal(err)
		}
		exec := &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}}
		l := &loop{name: name,
			lease: &gitlease.Lease{Store: lsrc, Ref: gitlease.Ref("main"), Holder: "holder-" + name, Duration: time.Minute, Clock: f.clock}}
		l.runner = &runner.Runner{Source: src, Provider: prov, Exec: exec, Clock: f.clock, Leader: l.lease,
			DriftInterval: 15 * time.Second, DefaultProjectID: project, DefaultRegion: "fr-par"}
		f.loops[i] = l
	}
	return f
}

// round runs fn on the given loops at the same time.
func (f *fleet) round(fn func(*loop) error, ls ...*loop) {
	f.t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(ls))
	for i, l := range ls {
		wg.Go(func() { errs[i] = fn(l) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			f.t.Fatalf("loop %s: %v", ls[i].name, err)
		}
	}
}

func renew(l *loop) error {
	_, err := l.lease.Try(context.Background())
	return err
}

func renewWhileTicking(l *loop) error {
	errc := make(chan error, 1)
	go func() { errc <- renew(l) }()
	return errors.Join(tick(l), <-errc)
}

func tick(l *loop) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := l.runner.Tick(ctx, "interval")
	if err == nil && (res.Applied > 0 || res.StatusCommit != "") {
		l.wrote++
	}
	if err == nil && res.Follower && (res.Applied > 0 || res.StatusCommit != "") {
		return fmt.Errorf("a follower wrote: %+v", res)
	}
	return err
}

func (f *fleet) posts(suffix string) int {
	f.t.Helper()
	log, err := f.emu.Requests()
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, r := range log.Requests {
		if r.Method == "POST" && strings.HasSuffix(r.Endpoint, suffix) {
			n++
		}
	}
	return n
}

func (f *fleet) poolSize() int {
	f.t.Helper()
	snap, err := f.prov.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: project})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, c := range snap.Clusters {
		for _, p := range c.Pools {
			if c.Name == "lease-par" && p.Name == "web" {
				return p.Size
			}
		}
	}
	return 0
}

// Two loops on one repository, leases and ticks racing each round: exactly one applies, the
// cluster is created once, and every status commit lands. The leader then stops renewing: no one
// leads inside the margin, the other takes over only after the expiry, and converges a new spec.
func TestTwoLoopsOneWriter(t *testing.T) {
	for _, tc := range []struct {
		name     string
		overHTTP bool
	}{{"smart-http", true}, {"file", false}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFleet(t, tc.overHTTP)
			a, b := f.loops[0], f.loops[1]
			// Round 1: the leases race each other; then lease rounds race the ticks too, as in `run`.
			f.round(renew, a, b)
			f.round(tick, a, b)
			for range 4 {
				f.clock.Step(15 * time.Second)
				f.round(renewWhileTicking, a, b)
			}
			f.clock.Step(15 * time.Second)
			if (a.wrote == 0) == (b.wrote == 0) {
				t.Fatalf("writes: a %d, b %d; want exactly one writer", a.wrote, b.wrote)
			}
			if n := f.posts("/clusters"); n != 1 {
				t.Fatalf("POST /clusters %d times, want 1", n)
			}
			t.Logf("5 racing rounds: writing ticks a %d, b %d; POST /clusters once", a.wrote, b.wrote)
			if s := gittest.Show(t, f.bare, "main", "status/lease-par.yaml"); !strings.Contains(s, "lease-par") {
				t.Fatalf("status/lease-par.yaml:\n%s", s)
			}
			gittest.Fsck(t, f.bare)

			leader, other := a, b
			if b.wrote > 0 {
				leader, other = b, a
			}
			// The leader stops renewing (killed). Its last write was 15 s ago.
			f.clock.Step(31 * time.Second) // 46 s: inside the margin, not yet expired
			f.round(renew, other)
			if leader.lease.Leading() || other.lease.Leading() {
				t.Fatalf("leading at 46 s: %s %v, %s %v; want nobody", leader.name, leader.lease.Leading(), other.name, other.lease.Leading())
			}
			f.user.Write(t, map[string]string{"clusters/lease-par.yaml": strings.Replace(clusterYAML, "SIZE", "3", 1)})
			f.user.CommitAndPush(t, "grow web", 3)
			before, leaderWrites := other.wrote, leader.wrote
			statusBefore := gittest.Show(t, f.bare, "main", "status/lease-par.yaml")
			f.round(tick, leader, other)
			if other.wrote != before || f.poolSize() != 2 {
				t.Fatalf("a write before the lease expired (pool size %d)", f.poolSize())
			}
			f.clock.Step(15 * time.Second) // 61 s: expired
			f.round(renew, other)
			if !other.lease.Leading() {
				t.Fatalf("%s did not take over after the expiry", other.name)
			}
			f.clock.Step(15 * time.Second) // the next drift pass is due
			f.round(tick, leader, other)
			if other.wrote == before {
				t.Fatalf("%s leads but did not apply", other.name)
			}
			if got := f.poolSize(); got != 3 {
				t.Fatalf("pool size %d after takeover, want 3", got)
			}
			if n := f.posts("/clusters"); n != 1 {
				t.Fatalf("POST /clusters %d times, want 1", n)
			}
			if leader.wrote != leaderWrites {
				t.Fatalf("the stale leader %s wrote after it stopped renewing", leader.name)
			}
			if s := gittest.Show(t, f.bare, "main", "status/lease-par.yaml"); s == statusBefore {
				t.Fatalf("the new leader committed no status:\n%s", s)
			}
			gittest.Fsck(t, f.bare)
		})
	}
}
