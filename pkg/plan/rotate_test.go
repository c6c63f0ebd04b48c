package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/pkg/rotation/rotationtest"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func planPool() *cloud.Pool { return rotationtest.MixedPool() }

func whys(t *testing.T, defs []Deferred) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range defs {
		out[d.Action.ID] = d.Why
		if d.Message == "" || d.Action.Type != RotateNode || !d.Action.Disruptive {
			t.Errorf("deferred entry incomplete: %+v", d)
		}
	}
	return out
}

func TestRotatePoolInsideWindow(t *testing.T) {
	rot := &spec.Rotation{Window: daily(), Budget: count(3), DrainTimeout: dur(45 * time.Minute), OnDrainTimeout: "force"}
	acts, defs, cal := rotatePool("prod-par", rot, readyCluster(), planPool(), inside)
	// Budget 3 minus "sick" and "new" (not ready) leaves room for one: the oldest ready node.
	want := []Action{{
		ID: "prod-par/rotate-node/default/older", Type: RotateNode, Target: "node/prod-par/default/older",
		Reason: "node-past-deadline", Disruptive: true,
		Changes: []Change{{Path: "node.age", Before: "41d", After: "0d"}},
		Details: map[string]string{"node_id": "id-older", "node": "older", "pool": "default", "pool_id": "p-1", "cluster_id": "c-1",
			"region": "fr-par", "project_id": "proj-1",
			"created_at": "2026-09-30T04:00:00Z", "drain_timeout": "45m", "on_drain_timeout": "force",
			"window_end": "2026-11-10T06:00:00Z"}, // the daily window opens at 03:00 UTC for 3h
		Payload: Payload{Rotate: &NodeRotation{ClusterID: "c-1", Pool: "default", PoolID: "p-1", Node: "older", NodeID: "id-older",
			CreatedAt: time.Date(2026, 9, 30, 4, 0, 0, 0, time.UTC), DrainTimeout: 45 * time.Minute, OnDrainTimeout: "force",
			WindowEnd: time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC)}},
	}}
	if diff := cmp.Diff(want, acts); diff != "" {
		t.Errorf("actions mismatch (-want +got):\n%s", diff)
	}
	wantWhy := map[string]string{
		"prod-par/rotate-node/default/old":  "budget-exhausted",
		"prod-par/rotate-node/default/sick": "node-not-ready",
	}
	if diff := cmp.Diff(wantWhy, whys(t, defs)); diff != "" {
		t.Errorf("deferred mismatch (-want +got):\n%s", diff)
	}
	if next := cal.Next(); next == nil || !next.Start.Equal(opening) || next.Nodes[0].Name != "older" {
		t.Errorf("calendar next = %+v, want the current opening with older first", next)
	}
}

func TestRotatePoolHeld(t *testing.T) {
	cases := []struct {
		name     string
		rot      *spec.Rotation
		now      time.Time
		wantWhy  string // for both due ready nodes; "" = no deferred entry at all
		wantWarn string
	}{
		{"outside the window", &spec.Rotation{Window: daily(), Budget: count(3)}, outside, "outside-window", ""},
		{"invalid window", &spec.Rotation{Window: &spec.Window{Schedule: "61 * * * *", Duration: spec.Duration{Duration: time.Hour}}}, inside, "invalid-window", "rotation-invalid-window"},
		{"invalid budget", &spec.Rotation{Budget: percent(0)}, inside, "invalid-budget", "rotation-invalid-budget"},
		{"disabled", &spec.Rotation{Enabled: ptr(false)}, inside, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := planPool()
			p.Nodes = p.Nodes[:2] // old and older: ready and due
			acts, defs, cal := rotatePool("prod-par", c.rot, readyCluster(), p, c.now)
			if len(acts) != 0 {
				t.Errorf("actions = %v, want none", acts)
			}
			want := map[string]string{}
			if c.wantWhy != "" {
				want = map[string]string{"prod-par/rotate-node/default/old": c.wantWhy, "prod-par/rotate-node/default/older": c.wantWhy}
			}
			if diff := cmp.Diff(want, whys(t, defs)); diff != "" {
				t.Errorf("deferred mismatch (-want +got):\n%s", diff)
			}
			if c.wantWhy == "outside-window" && !strings.Contains(defs[0].Message, "next opening 2026-11-11 03:00 UTC") {
				t.Errorf("message %q does not name the next opening", defs[0].Message)
			}
			if c.wantWarn != "" && !calendarWarns(cal, c.wantWarn) {
				t.Errorf("calendar warnings %v lack %s", cal.Warnings, c.wantWarn)
			}
		})
	}
}

func TestRotationsOfACluster(t *testing.T) {
	live := readyCluster()
	web := planPool()
	other := *agedPool(1, inside.Add(-60*day), 0) // live only: not the reconciler's to rotate
	other.Name = "unmanaged"
	batch := *agedPool(2, inside.Add(-40*day), time.Hour)
	batch.Name = "batch"
	live.Pools = []cloud.Pool{other, batch, *web}
	desired := &spec.Cluster{Metadata: spec.Metadata{Name: "prod-par"}, Spec: spec.ClusterSpec{Pools: []spec.Pool{
		{Name: "default", Rotation: &spec.Rotation{Window: daily(), Budget: count(3)}},
		{Name: "batch", Rotation: &spec.Rotation{Window: daily()}},
		{Name: "absent"}, // in the spec, not live yet
	}}}
	acts, defs, cals, _ := rotations(desired, live, inside)
	var ids []string
	for _, a := range acts {
		ids = append(ids, a.ID)
	}
	want := []string{"prod-par/rotate-node/default/older", "prod-par/rotate-node/batch/n01"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("actions mismatch (-want +got):\n%s", diff)
	}
	for _, d := range defs {
		if strings.Contains(d.Action.ID, "unmanaged") {
			t.Errorf("deferred rotation of a pool the spec does not name: %s", d.Action.ID)
		}
	}
	if len(cals) != 2 || cals[0].Pool != "default" || cals[1].Pool != "batch" {
		t.Errorf("calendars = %d, want default and batch in spec order", len(cals))
	}
}

// Helpers of the rotation tests (as package rotation's tests have them).
var inside, outside, opening = rotationtest.Inside, rotationtest.Outside, rotationtest.Opening

const day = rotationtest.Day

func dur(d time.Duration) *spec.Duration { return &spec.Duration{Duration: d} }

func count(n int) *spec.IntOrPercent { return &spec.IntOrPercent{Value: n} }

func percent(n int) *spec.IntOrPercent { return &spec.IntOrPercent{Value: n, IsPercent: true} }

func ptr[T any](v T) *T { return &v }

func daily() *spec.Window { return rotationtest.Daily() }

func readyCluster() *cloud.Cluster { return rotationtest.ReadyCluster() }

func node(name string, created time.Time, status string) cloud.Node {
	return rotationtest.Node(name, created, status)
}

func agedPool(n int, newest time.Time, step time.Duration) *cloud.Pool {
	return rotationtest.AgedPool(n, newest, step)
}

func calendarWarns(cal rotation.Calendar, code string) bool {
	for _, w := range cal.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
