package rotation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/rotation/rotationtest"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Times around the daily 03:00-06:00 UTC window of 2026-11-10.
var inside, outside, opening = rotationtest.Inside, rotationtest.Outside, rotationtest.Opening

func TestCandidates(t *testing.T) {
	overdue := inside.Add(-40 * day) // past maxAge (30d) and the default deadline (37d)
	due := inside.Add(-31 * day)     // past maxAge, not past the deadline
	withNodes := func(p *cloud.Pool, extra ...cloud.Node) *cloud.Pool { p.Nodes = append(p.Nodes, extra...); return p }
	cases := []struct {
		name    string
		rot     spec.Rotation
		cluster string // cluster status; "" = ready
		pool    *cloud.Pool
		now     time.Time
		want    map[string]string // node -> reason, "*" marks a rotated node
	}{
		{
			name: "outside the window nothing rotates",
			rot:  spec.Rotation{Window: daily(), Budget: count(3)},
			pool: agedPool(3, overdue, time.Hour), now: outside,
			want: map[string]string{"n00": "outside-window", "n01": "outside-window", "n02": "outside-window"},
		},
		{
			name: "inside the window at most the budget, oldest first",
			rot:  spec.Rotation{Window: daily(), Budget: count(2)},
			pool: agedPool(5, overdue, time.Hour), now: inside,
			want: map[string]string{"n04": "*node-past-deadline", "n03": "*node-past-deadline",
				"n02": "budget-exhausted", "n01": "budget-exhausted", "n00": "budget-exhausted"},
		},
		{
			name: "percent budget rounds up",
			rot:  spec.Rotation{Window: daily(), Budget: percent(25)},
			pool: agedPool(6, overdue, time.Hour), now: inside,
			want: map[string]string{"n05": "*node-past-deadline", "n04": "*node-past-deadline", "n03": "budget-exhausted",
				"n02": "budget-exhausted", "n01": "budget-exhausted", "n00": "budget-exhausted"},
		},
		{
			name: "nodes in flight count against the budget",
			rot:  spec.Rotation{Window: daily(), Budget: count(3)},
			pool: withNodes(agedPool(3, overdue, time.Hour), node("new", inside.Add(-30*time.Minute), "creating"),
				node("old", overdue.Add(-time.Hour*100), "deleting")),
			now: inside,
			want: map[string]string{"old": "in-progress", "new": "in-progress", "n02": "*node-past-deadline",
				"n01": "budget-exhausted", "n00": "budget-exhausted"},
		},
		{
			name: "a broken node uses the budget and is left alone",
			rot:  spec.Rotation{Window: daily(), Budget: count(2)},
			pool: withNodes(agedPool(2, overdue, time.Hour), node("sick", overdue.Add(-100*time.Hour), "not_ready")),
			now:  inside,
			want: map[string]string{"sick": "node-not-ready", "n01": "*node-past-deadline", "n00": "budget-exhausted"},
		},
		{
			name: "pool not ready",
			rot:  spec.Rotation{Window: daily()},
			pool: func() *cloud.Pool {
				p := withNodes(agedPool(1, overdue, time.Hour), node("young", inside.Add(-2*day), "ready"))
				p.Status = "upgrading"
				return p
			}(),
			now:  inside,
			want: map[string]string{"n00": "pool-not-ready", "young": "too-young"},
		},
		{
			name: "cluster not ready", cluster: "updating",
			rot:  spec.Rotation{Window: daily()},
			pool: agedPool(2, overdue, time.Hour), now: inside,
			want: map[string]string{"n00": "cluster-not-ready", "n01": "cluster-not-ready"},
		},
		{
			name: "oldest first, ties by name",
			rot:  spec.Rotation{Window: daily()},
			pool: &cloud.Pool{ID: "p-1", Name: "default", Status: "ready", Nodes: []cloud.Node{
				node("b", overdue, "ready"), node("a", overdue, "ready"), node("c", overdue.Add(time.Minute), "ready")}},
			now:  inside,
			want: map[string]string{"a": "*node-past-deadline", "b": "budget-exhausted", "c": "budget-exhausted"},
		},
		{
			name: "invalid window fails closed",
			rot:  spec.Rotation{Window: &spec.Window{Schedule: "0 3 * *", Duration: spec.Duration{Duration: 3 * time.Hour}}, Budget: count(5)},
			pool: agedPool(2, overdue, time.Hour), now: inside,
			want: map[string]string{"n00": "invalid-window", "n01": "invalid-window"},
		},
		{
			name: "invalid budget fails closed",
			rot:  spec.Rotation{Budget: count(0)},
			pool: agedPool(2, overdue, time.Hour), now: inside,
			want: map[string]string{"n00": "invalid-budget", "n01": "invalid-budget"},
		},
		{
			name: "rotation disabled",
			rot:  spec.Rotation{Enabled: ptr(false)},
			pool: agedPool(1, overdue, time.Hour), now: inside,
			want: map[string]string{"n00": "rotation-disabled"},
		},
		{
			name: "too young",
			rot:  spec.Rotation{Window: daily(), Budget: count(5)},
			pool: withNodes(agedPool(1, inside.Add(-10*day), time.Hour), node("old", overdue, "ready")),
			now:  inside,
			want: map[string]string{"n00": "too-young", "old": "*node-past-deadline"},
		},
		{
			name: "soft schedule spreads a backlog due together",
			rot:  spec.Rotation{Window: daily(), Budget: count(3)},
			pool: agedPool(3, due, 0), now: inside,
			want: map[string]string{"n00": "*node-max-age", "n01": "scheduled-later", "n02": "scheduled-later"},
		},
		{
			name: "deadline override: deadline = maxAge rotates as soon as due, within the budget",
			rot:  spec.Rotation{Window: daily(), Budget: count(3), Deadline: dur(720 * time.Hour)},
			pool: agedPool(4, due, 0), now: inside,
			want: map[string]string{"n00": "*node-past-deadline", "n01": "*node-past-deadline", "n02": "*node-past-deadline",
				"n03": "budget-exhausted"},
		},
		{
			name: "a node created in this opening uses its share of the soft schedule",
			rot:  spec.Rotation{Window: daily(), Budget: count(3)},
			pool: withNodes(agedPool(3, due, 0), node("fresh", opening.Add(10*time.Minute), "ready")),
			now:  inside,
			want: map[string]string{"n00": "scheduled-later", "n01": "scheduled-later", "n02": "scheduled-later", "fresh": "too-young"},
		},
		{
			name: "a node due after the opening started waits for the next one",
			rot:  spec.Rotation{Window: daily(), Budget: count(3)},
			pool: agedPool(1, opening.Add(30*time.Minute-720*time.Hour), 0), now: inside,
			want: map[string]string{"n00": "scheduled-later"},
		},
		{
			name: "the upgrade policy caps the budget",
			rot:  spec.Rotation{Window: daily(), Budget: count(5)},
			pool: func() *cloud.Pool {
				p := agedPool(4, overdue, time.Hour)
				p.UpgradePolicy = cloud.UpgradePolicy{MaxUnavailable: 1, MaxSurge: 1}
				return p
			}(),
			now:  inside,
			want: map[string]string{"n03": "*node-past-deadline", "n02": "*node-past-deadline", "n01": "budget-exhausted", "n00": "budget-exhausted"},
		},
		{
			name: "no window: any time, still spread over days",
			rot:  spec.Rotation{Budget: count(2)},
			pool: withNodes(agedPool(2, due, 0), node("late", overdue, "ready")), now: outside,
			want: map[string]string{"late": "*node-past-deadline", "n00": "scheduled-later", "n01": "scheduled-later"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := readyCluster()
			if c.cluster != "" {
				cl.Status = c.cluster
			}
			d := Candidates(ResolvePolicy(&c.rot), cl, c.pool, c.now)
			if diff := cmp.Diff(c.want, reasons(d)); diff != "" {
				t.Errorf("decisions mismatch (-want +got):\n%s", diff)
			}
			for _, n := range d.Nodes {
				if n.Message == "" {
					t.Errorf("node %s: empty message", n.Name)
				}
				if n.Rotate != n.Reason.Rotates() {
					t.Errorf("node %s: Rotate=%v with reason %q", n.Name, n.Rotate, n.Reason)
				}
			}
			if got := len(d.Rotating()); got > 0 && got+d.Unavailable > d.Concurrency {
				t.Errorf("%d rotating + %d unavailable > concurrency %d", got, d.Unavailable, d.Concurrency)
			}
		})
	}
}

func TestCandidatesWindowDetails(t *testing.T) {
	pol := mustPolicy(t, &spec.Rotation{Window: daily()})
	p := agedPool(2, inside.Add(-31*day), 0)
	p.Nodes = append(p.Nodes, node("young", inside.Add(-10*day), "ready"))
	d := Candidates(pol, readyCluster(), p, outside)
	if d.Opening != nil || d.NextOpening == nil || !d.NextOpening.Start.Equal(time.Date(2026, 11, 11, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("outside: opening=%v next=%v, want next 2026-11-11 03:00 UTC", d.Opening, d.NextOpening)
	}
	for _, n := range d.Nodes {
		switch n.Name {
		case "young":
			if want := inside.Add(-10 * day).Add(720 * time.Hour); !n.Due.Equal(want) || n.Age != outside.Sub(inside.Add(-10*day)) {
				t.Errorf("young: due %s age %s, want due %s", n.Due, n.Age, want)
			}
		default:
			if n.Slot == nil {
				t.Errorf("%s: due node without a slot", n.Name)
			}
		}
	}
	d = Candidates(pol, readyCluster(), p, inside)
	if d.Opening == nil || !d.Opening.Start.Equal(opening) || !d.Opening.End.Equal(opening.Add(3*time.Hour)) {
		t.Fatalf("inside: opening = %v, want %s for 3h", d.Opening, opening)
	}
}
