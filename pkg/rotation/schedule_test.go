package rotation

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// backlog is 20 nodes that all become due at 2026-11-10 02:00 UTC, an hour before the daily
// window opens; the horizon starts at midnight.
var (
	backlogDue = time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)
	backlogNow = time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
)

func backlogPool() *cloud.Pool { return agedPool(20, backlogDue.Add(-720*time.Hour), 0) }

// placements maps each node the calendar replaces to the start of its opening, and checks the
// calendar lists every node once.
func placements(t *testing.T, cal Calendar) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, o := range cal.Openings {
		for _, n := range o.Nodes {
			if _, dup := out[n.Name]; dup {
				t.Fatalf("node %s listed twice", n.Name)
			}
			out[n.Name] = o.Start
		}
	}
	return out
}

func TestSpreadBacklog(t *testing.T) {
	cases := []struct {
		name      string
		rot       spec.Rotation
		wantLoads []int // nodes per opening that replaces any, in order
		wantLate  int   // nodes rotated after their deadline
	}{
		// 7 daily openings before the deadline (7 days after due) x 3 = 21 >= 20: levelled at 3.
		{"budget 3, default deadline", spec.Rotation{Window: daily(), Budget: count(3)}, []int{3, 3, 3, 3, 3, 3, 2}, 0},
		// 30 days of openings before the deadline: one node a day is enough.
		{"budget 3, long deadline", spec.Rotation{Window: daily(), Budget: count(3), Deadline: dur(720*time.Hour + 30*day)},
			[]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0},
		// Capacity 7 < 20: 7 go one a day, the 13 others pass their deadline and all go at the
		// next opening (one at a time: the budget is a concurrency limit).
		{"budget 1, too little room", spec.Rotation{Window: daily(), Budget: count(1)}, []int{1, 1, 1, 1, 1, 1, 1, 13}, 13},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := mustPolicy(t, &c.rot)
			cal := BuildCalendar(pol, readyCluster(), backlogPool(), backlogNow, DefaultHorizon)
			var loads []int
			late := 0
			for _, o := range cal.Openings {
				if len(o.Nodes) == 0 {
					continue
				}
				loads = append(loads, len(o.Nodes))
				soft := 0
				for _, n := range o.Nodes {
					if o.Start.Before(n.Due) {
						t.Errorf("%s placed at %s before it is due (%s)", n.Name, o.Start, n.Due)
					}
					switch n.Reason {
					case PastDeadline:
						late++
						if o.Start.Before(n.Deadline) {
							t.Errorf("%s marked past deadline at %s, deadline %s", n.Name, o.Start, n.Deadline)
						}
					case MaxAge:
						soft++
						if !o.Start.Before(n.Deadline) {
							t.Errorf("%s placed at %s, after its deadline %s", n.Name, o.Start, n.Deadline)
						}
					}
				}
				if budget := pol.Budget.Value; soft > budget {
					t.Errorf("opening %s: %d soft placements > budget %d", o.Start, soft, budget)
				}
			}
			if diff := cmp.Diff(c.wantLoads, loads); diff != "" {
				t.Errorf("loads per opening mismatch (-want +got):\n%s", diff)
			}
			if late != c.wantLate {
				t.Errorf("late = %d, want %d", late, c.wantLate)
			}
			if n := len(placements(t, cal)); n != 20 {
				t.Errorf("%d nodes placed, want 20 (later: %v)", n, cal.Later)
			}
			hasWarning := false
			for _, w := range cal.Warnings {
				hasWarning = hasWarning || w.Code == "rotation-deadline-missed"
			}
			if hasWarning != (c.wantLate > 0) {
				t.Errorf("deadline warning = %v, want %v (%v)", hasWarning, c.wantLate > 0, cal.Warnings)
			}
		})
	}
}

// replay runs rotation passes every 5 minutes while the window is open, from now to now+horizon,
// replacing every rotated node at once by a fresh ready node, and returns, for each original node,
// the start of the opening it was rotated in.
func replay(t *testing.T, pol Policy, p *cloud.Pool, now time.Time, horizon time.Duration) map[string]time.Time {
	t.Helper()
	pool := *p
	pool.Nodes = append([]cloud.Node(nil), p.Nodes...)
	out := map[string]time.Time{}
	end := now.Add(horizon)
	for at := now; at.Before(end); {
		d := Candidates(pol, readyCluster(), &pool, at)
		if d.Opening == nil {
			if d.NextOpening == nil {
				break
			}
			at = d.NextOpening.Start
			continue
		}
		if d.Opening.Start.Before(end) {
			for _, r := range d.Rotating() {
				out[r.Name] = d.Opening.Start
				for i := range pool.Nodes {
					if pool.Nodes[i].Name == r.Name {
						pool.Nodes[i] = node("fresh-"+r.Name, at, "ready")
					}
				}
			}
		}
		at = at.Add(5 * time.Minute)
	}
	return out
}

// TestCalendarMatchesPasses checks that the calendar is what the rotation passes do.
func TestCalendarMatchesPasses(t *testing.T) {
	staggered := agedPool(30, backlogDue.Add(-700*time.Hour), 13*time.Hour+7*time.Minute)
	cases := []struct {
		name string
		rot  spec.Rotation
		pool *cloud.Pool
		now  time.Time
	}{
		{"backlog budget 3", spec.Rotation{Window: daily(), Budget: count(3)}, backlogPool(), backlogNow},
		{"backlog budget 1 too little room", spec.Rotation{Window: daily(), Budget: count(1)}, backlogPool(), backlogNow},
		{"backlog starting inside the window", spec.Rotation{Window: daily(), Budget: count(2)}, backlogPool(), backlogDue.Add(90 * time.Minute)},
		{"staggered, weekly Paris window", spec.Rotation{Budget: count(2),
			Window: &spec.Window{Schedule: "0 2 * * SUN", Duration: spec.Duration{Duration: 3 * time.Hour}, TimeZone: "Europe/Paris"}},
			staggered, backlogNow},
		{"staggered, any time, 10%", spec.Rotation{Budget: percent(10)}, staggered, backlogNow},
		{"backlog across the October DST change", spec.Rotation{Budget: count(2),
			Window: &spec.Window{Schedule: "0 2 * * SUN", Duration: spec.Duration{Duration: 3 * time.Hour}, TimeZone: "Europe/Paris"}},
			agedPool(12, utc(2026, 10, 24, 12, 0).Add(-720*time.Hour), 20*time.Hour), utc(2026, 10, 20, 12, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := mustPolicy(t, &c.rot)
			cal := BuildCalendar(pol, readyCluster(), c.pool, c.now, DefaultHorizon)
			want := placements(t, cal)
			if len(want) == 0 {
				t.Fatal("calendar replaces nothing: the case tests nothing")
			}
			got := replay(t, pol, c.pool, c.now, DefaultHorizon)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("passes differ from the calendar (-calendar +passes):\n%s", diff)
			}
		})
	}
}

func TestCalendarHeldPolicy(t *testing.T) {
	p := backlogPool()
	cal := BuildCalendar(ResolvePolicy(&spec.Rotation{Budget: count(0)}), readyCluster(), p, backlogNow, 0)
	if len(cal.Openings) != 0 || len(cal.Warnings) != 1 || cal.Warnings[0].Code != "rotation-invalid-budget" {
		t.Errorf("invalid budget calendar = %+v, want no openings and one rotation-invalid-budget warning", cal)
	}
	cal = BuildCalendar(ResolvePolicy(&spec.Rotation{Enabled: ptr(false)}), readyCluster(), p, backlogNow, 0)
	if len(cal.Openings) != 0 || len(cal.Warnings) != 0 {
		t.Errorf("disabled calendar = %+v, want empty", cal)
	}
}

func TestCalendarNoOpening(t *testing.T) {
	// February 30th never comes: robfig/cron finds no firing and the window never opens.
	pol := mustPolicy(t, &spec.Rotation{Window: &spec.Window{Schedule: "0 3 30 2 *", Duration: spec.Duration{Duration: time.Hour}}})
	cal := BuildCalendar(pol, readyCluster(), agedPool(2, backlogDue.Add(-720*time.Hour), time.Hour), backlogNow, 0)
	if len(cal.Openings) != 0 || len(cal.Later) != 2 {
		t.Fatalf("openings %d later %d, want 0 and 2", len(cal.Openings), len(cal.Later))
	}
	codes := fmt.Sprint(cal.Warnings)
	for _, want := range []string{"rotation-no-opening"} {
		if !contains(cal, want) {
			t.Errorf("warnings %s lack %s", codes, want)
		}
	}
	d := Candidates(pol, readyCluster(), agedPool(1, backlogDue.Add(-720*time.Hour), 0), backlogNow.Add(3*time.Hour))
	if d.Nodes[0].Reason != OutsideWindow || d.NextOpening != nil {
		t.Errorf("decision %+v, want outside-window and no next opening", d.Nodes[0])
	}
}

func contains(cal Calendar, code string) bool {
	for _, w := range cal.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
