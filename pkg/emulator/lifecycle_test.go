package emulator_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type lifecycleEnv struct {
	t   *testing.T
	clk *clocktesting.FakeClock
	env *emulatortest.Env
	api *k8s.API
}

func startLifecycle(t *testing.T, at string, opts emulator.Options) *lifecycleEnv {
	clk := clocktesting.NewFakeClock(date(at))
	opts.Clock = clk
	if opts.Dwell == (emulator.Dwell{}) {
		opts.Dwell = emulator.DemoDwell
	}
	env := emulatortest.Start(t, opts)
	return &lifecycleEnv{t: t, clk: clk, env: env, api: k8s.NewAPI(env.Client)}
}

// stepTo moves the fake clock to an absolute time.
func (e *lifecycleEnv) stepTo(at string) {
	e.t.Helper()
	d := date(at).Sub(e.clk.Now())
	if d < 0 {
		e.t.Fatalf("stepTo %s: clock already at %s", at, e.clk.Now().Format(time.RFC3339))
	}
	e.clk.Step(d)
}

func (e *lifecycleEnv) cluster(id string) *k8s.Cluster {
	e.t.Helper()
	c, err := e.api.GetCluster(&k8s.GetClusterRequest{ClusterID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *lifecycleEnv) pools(id string) []*k8s.Pool {
	e.t.Helper()
	ps, err := e.api.ListPools(&k8s.ListPoolsRequest{ClusterID: id}, scw.WithAllPages())
	if err != nil {
		e.t.Fatal(err)
	}
	return ps.Pools
}

func (e *lifecycleEnv) events(kind string) []emulator.LifecycleEvent {
	e.t.Helper()
	l, err := emulator.NewAdminClient(e.env.URL).Requests() // over HTTP, as an external test would
	if err != nil {
		e.t.Fatal(err)
	}
	var out []emulator.LifecycleEvent
	for _, ev := range l.Events {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func (e *lifecycleEnv) seed(sc emulator.SeedCluster) emulator.SeededCluster {
	e.t.Helper()
	res, err := e.env.Admin.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{sc}})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Clusters[0]
}

func (e *lifecycleEnv) expect(id, status, version string) *k8s.Cluster {
	e.t.Helper()
	c := e.cluster(id)
	if string(c.Status) != status || c.Version != version {
		e.t.Fatalf("at %s: cluster %s %s, want %s %s", e.clk.Now().Format(time.RFC3339), c.Status, c.Version, status, version)
	}
	return c
}

func TestVersionsFollowTheClock(t *testing.T) {
	e := startLifecycle(t, "2026-08-20T10:00:00Z", emulator.Options{})
	listed := func() string {
		vs, err := e.api.ListVersions(&k8s.ListVersionsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, v := range vs.Versions {
			names = append(names, v.Name)
		}
		return fmt.Sprint(names)
	}
	if got := listed(); got != "[1.36.1 1.35.3 1.34.6 1.33.10]" {
		t.Fatalf("2026-08-20: %s", got) // the catalog the 2026-08 recordings show; 1.37 not out yet
	}
	if _, err := e.api.GetVersion(&k8s.GetVersionRequest{VersionName: "1.37.0"}); err == nil {
		t.Fatal("1.37.0 served before its release")
	}
	e.stepTo("2026-09-01T00:00:00Z")
	if got := listed(); got != "[1.37.0 1.36.1 1.35.3 1.34.6 1.33.10]" {
		t.Fatalf("2026-09-01: %s", got)
	}
	e.stepTo("2026-09-04T00:00:00Z") // 1.33 deprecated
	if got := listed(); got != "[1.37.0 1.36.1 1.35.3 1.34.6]" {
		t.Fatalf("2026-09-04: %s", got)
	}
	e.stepTo("2026-10-05T00:00:00Z") // new patches; 1.34 deprecated since 2026-09-29
	if got := listed(); got != "[1.37.1 1.36.5 1.35.9]" {
		t.Fatalf("2026-10-05: %s", got)
	}
	// deprecated and past end of life: still readable, with the dates the planner needs
	v, err := e.api.GetVersion(&k8s.GetVersionRequest{VersionName: "1.33.10"})
	if err != nil || v.DeprecatedAt.Format(time.DateOnly) != "2026-09-04" || v.EndOfLifeAt.Format(time.DateOnly) != "2026-11-04" {
		t.Fatalf("GetVersion 1.33.10: %+v %v", v, err)
	}
	v, err = e.api.GetVersion(&k8s.GetVersionRequest{VersionName: "1.37.1"})
	if err != nil || v.ReleasedAt.Format(time.DateOnly) != "2026-09-01" || v.DeprecatedAt.Format(time.DateOnly) != "2027-09-01" || v.EndOfLifeAt.Format(time.DateOnly) != "2027-11-01" {
		t.Fatalf("GetVersion 1.37.1: %+v %v", v, err)
	}
	// 2027-01-19: 1.35 is deprecated; a 1.35 cluster can only go to 1.36, and no 1.35 is created
	e.stepTo("2027-01-19T00:00:00Z")
	if got := listed(); got != "[1.37.1 1.36.5]" {
		t.Fatalf("2027-01-19: %s", got)
	}
	c := e.seed(emulator.SeedCluster{Name: "old", Version: "1.35.4"})
	av, err := e.api.ListClusterAvailableVersions(&k8s.ListClusterAvailableVersionsRequest{ClusterID: c.ID})
	if err != nil || len(av.Versions) != 1 || av.Versions[0].Name != "1.36.5" {
		t.Fatalf("available from 1.35.4 after 1.35's deprecation: %+v %v", av, err)
	}
	_, err = e.api.UpgradeCluster(&k8s.UpgradeClusterRequest{ClusterID: c.ID, Version: "1.35.9"})
	var ia *scw.InvalidArgumentsError
	if !errors.As(err, &ia) || ia.Details[0].ArgumentName != "version" {
		t.Fatalf("upgrade to a deprecated patch: %v", err)
	}
	if _, err := e.api.CreateCluster(&k8s.CreateClusterRequest{Name: "x", Version: "1.35.9", Cni: k8s.CNICilium}); !errors.As(err, &ia) {
		t.Fatalf("create on a deprecated minor: %v", err)
	}
}

func TestForcedUpgradeAtEndOfLife(t *testing.T) {
	e := startLifecycle(t, "2026-11-28T12:00:00Z", emulator.Options{})
	c := e.seed(emulator.SeedCluster{Name: "legacy", Version: "1.34.6", Pools: []emulator.SeedPool{{Name: "default", Size: 2}}})
	old := c.Pools[0].NodeIDs
	av, err := e.api.ListClusterAvailableVersions(&k8s.ListClusterAvailableVersionsRequest{ClusterID: c.ID})
	if err != nil || len(av.Versions) != 1 || av.Versions[0].Name != "1.35.9" {
		t.Fatalf("available from 1.34.6: %+v %v", av, err)
	}
	e.stepTo("2026-11-28T23:59:59Z")
	e.expect(c.ID, "ready", "1.34.6")
	if n := len(e.events(emulator.EventForcedUpgrade)); n != 0 {
		t.Fatalf("%d forced upgrades before end of life", n)
	}

	e.stepTo("2026-11-29T00:00:00Z") // 1.34's end of life: control plane first
	up := e.expect(c.ID, "updating", "1.35.9")
	if !up.UpdatedAt.Equal(date("2026-11-29T00:00:00Z")) {
		t.Fatalf("forced upgrade stamped %v", up.UpdatedAt)
	}
	if p := e.pools(c.ID)[0]; p.Version != "1.34.6" || p.Status != k8s.PoolStatusReady {
		t.Fatalf("pool during the control plane upgrade: %s %s", p.Version, p.Status)
	}
	evs := e.events(emulator.EventForcedUpgrade)
	if len(evs) != 1 || evs[0].ClusterID != c.ID || evs[0].From != "1.34.6" || evs[0].To != "1.35.9" || !evs[0].Time.Equal(date("2026-11-29T00:00:00Z")) {
		t.Fatalf("events: %+v", evs)
	}

	e.clk.Step(emulator.DemoDwell.ClusterUpgrade) // then the pools
	e.expect(c.ID, "ready", "1.35.9")
	if p := e.pools(c.ID)[0]; p.Version != "1.35.9" || p.Status != k8s.PoolStatusUpgrading {
		t.Fatalf("pool after the control plane: %s %s", p.Version, p.Status)
	}
	e.clk.Step(time.Hour)
	if p := e.pools(c.ID)[0]; p.Version != "1.35.9" || p.Status != k8s.PoolStatusReady {
		t.Fatalf("pool at the end: %s %s", p.Version, p.Status)
	}
	nodes, err := e.api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID}, scw.WithAllPages())
	if err != nil || len(nodes.Nodes) != 2 {
		t.Fatalf("nodes: %v %v", nodes, err)
	}
	for _, n := range nodes.Nodes {
		if n.ID == old[0] || n.ID == old[1] {
			t.Fatalf("node %s was not replaced", n.ID)
		}
	}
	if n := len(e.events(emulator.EventForcedUpgrade)); n != 1 {
		t.Fatalf("%d forced upgrades, want 1", n)
	}
}

func TestForcedUpgradeDelayAndTwoMinorsBehind(t *testing.T) {
	e := startLifecycle(t, "2026-11-28T00:00:00Z", emulator.Options{ForcedUpgradeDelay: 48 * time.Hour})
	c := e.seed(emulator.SeedCluster{Name: "late", Version: "1.34.6", Pools: []emulator.SeedPool{{Name: "p", Size: 1}}})
	e.stepTo("2026-11-30T23:59:59Z")
	e.expect(c.ID, "ready", "1.34.6")
	e.stepTo("2026-12-01T00:00:00Z")
	e.expect(c.ID, "updating", "1.35.9")

	// a cluster two minors behind end of life moves one minor at a time, the second right after the first
	e2 := startLifecycle(t, "2026-12-03T09:00:00Z", emulator.Options{})
	c2 := e2.seed(emulator.SeedCluster{Name: "ancient", Version: "1.33.10", Pools: []emulator.SeedPool{{Name: "p", Size: 1}}})
	e2.expect(c2.ID, "updating", "1.34.6")
	e2.clk.Step(time.Hour)
	e2.expect(c2.ID, "ready", "1.35.9")
	evs := e2.events(emulator.EventForcedUpgrade)
	if len(evs) != 2 || evs[0].To != "1.34.6" || evs[1].From != "1.34.6" || evs[1].To != "1.35.9" || !evs[1].Time.After(evs[0].Time) {
		t.Fatalf("events: %+v", evs)
	}
	if p := e2.pools(c2.ID)[0]; p.Version != "1.35.9" || p.Status != k8s.PoolStatusReady {
		t.Fatalf("pool: %s %s", p.Version, p.Status)
	}
}

func TestAutoUpgradeOnlyInsideTheMaintenanceWindow(t *testing.T) {
	monday3 := &emulator.AutoUpgrade{Enabled: true, MaintenanceWindow: emulator.MaintenanceWindow{Day: "monday", StartHour: 3}}
	e := startLifecycle(t, "2026-12-07T02:59:59Z", emulator.Options{}) // a Monday, a second before the window
	pools := []emulator.SeedPool{{Name: "p", Size: 1}}
	a := e.seed(emulator.SeedCluster{Name: "a", Version: "1.35.3", AutoUpgrade: monday3, Pools: pools})
	off := e.seed(emulator.SeedCluster{Name: "off", Version: "1.35.3", Pools: pools})
	latest := e.seed(emulator.SeedCluster{Name: "latest", Version: "1.35.9", AutoUpgrade: monday3, Pools: pools})
	e.expect(a.ID, "ready", "1.35.3")

	e.stepTo("2026-12-07T03:00:00Z") // window opens
	e.expect(a.ID, "updating", "1.35.9")
	e.clk.Step(time.Minute)
	e.expect(a.ID, "ready", "1.35.9")
	if p := e.pools(a.ID)[0]; p.Version != "1.35.9" {
		t.Fatalf("pool not upgraded with the control plane: %s", p.Version)
	}

	e.stepTo("2026-12-07T04:59:59Z") // last second of the two-hour window
	b := e.seed(emulator.SeedCluster{Name: "b", Version: "1.35.3", AutoUpgrade: monday3, Pools: pools})
	e.expect(b.ID, "updating", "1.35.9")

	e.stepTo("2026-12-07T05:00:00Z") // window closed
	late := e.seed(emulator.SeedCluster{Name: "late", Version: "1.35.3", AutoUpgrade: monday3, Pools: pools})
	e.expect(late.ID, "ready", "1.35.3")
	e.stepTo("2026-12-08T03:00:00Z") // Tuesday: not its day
	e.expect(late.ID, "ready", "1.35.3")
	e.stepTo("2026-12-14T02:59:59Z")
	e.expect(late.ID, "ready", "1.35.3")
	e.stepTo("2026-12-14T03:00:00Z") // next Monday
	e.expect(late.ID, "updating", "1.35.9")

	e.expect(off.ID, "ready", "1.35.3") // auto-upgrade off: never
	e.expect(latest.ID, "ready", "1.35.9")
	evs := e.events(emulator.EventAutoUpgrade)
	if len(evs) != 3 || evs[0].ClusterID != a.ID || !evs[0].Time.Equal(date("2026-12-07T03:00:00Z")) ||
		evs[2].ClusterID != late.ID || !evs[2].Time.Equal(date("2026-12-14T03:00:00Z")) {
		t.Fatalf("auto-upgrade events: %+v", evs)
	}
}

func TestAutoUpgradeWindowOpensOnEnableThroughTheAPI(t *testing.T) {
	// day "any": every day at start_hour; enabling it through UpdateCluster outside the window waits
	e := startLifecycle(t, "2026-12-03T10:00:00Z", emulator.Options{})
	c := e.seed(emulator.SeedCluster{Name: "c", Version: "1.36.1", Pools: []emulator.SeedPool{{Name: "p", Size: 1}}})
	on, hour := true, uint32(22)
	if _, err := e.api.UpdateCluster(&k8s.UpdateClusterRequest{ClusterID: c.ID, AutoUpgrade: &k8s.UpdateClusterRequestAutoUpgrade{
		Enable: &on, MaintenanceWindow: &k8s.MaintenanceWindow{StartHour: hour, Day: k8s.MaintenanceWindowDayOfTheWeekAny}}}); err != nil {
		t.Fatal(err)
	}
	e.stepTo("2026-12-03T21:59:59Z")
	e.expect(c.ID, "ready", "1.36.1")
	e.stepTo("2026-12-03T22:00:00Z")
	e.expect(c.ID, "updating", "1.36.5")
}
