package rotation

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func parisSundays(t testing.TB, deadline *spec.Duration) Policy {
	return mustPolicy(t, &spec.Rotation{Budget: count(1), Deadline: deadline,
		Window: &spec.Window{Schedule: "0 2 * * SUN", Duration: spec.Duration{Duration: 3 * time.Hour}, TimeZone: "Europe/Paris"}})
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// Europe/Paris leaves summer time on 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00 local
// happens twice. robfig/cron fires at both; pkg/window merges the two firings into one opening
// from 02:00 CEST (00:00 UTC) to 05:00 CET (04:00 UTC).
func TestDSTOctoberCandidates(t *testing.T) {
	pol := parisSundays(t, nil)
	p := agedPool(1, utc(2026, 9, 1, 0, 0), 0) // overdue
	cases := []struct {
		name string
		now  time.Time
		open bool
	}{
		{"01:59 CEST, before", utc(2026, 10, 24, 23, 59), false},
		{"02:00 CEST, first 02:00", utc(2026, 10, 25, 0, 0), true},
		{"02:30 CET, second 02:00 hour", utc(2026, 10, 25, 1, 30), true},
		{"04:59 CET", utc(2026, 10, 25, 3, 59), true},
		{"05:00 CET, closed", utc(2026, 10, 25, 4, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Candidates(pol, readyCluster(), p, c.now)
			if got := d.Opening != nil; got != c.open {
				t.Fatalf("open = %v, want %v (opening %v)", got, c.open, d.Opening)
			}
			if got := len(d.Rotating()) == 1; got != c.open {
				t.Errorf("rotating %v, want a rotation iff open", rotatingNames(d))
			}
			if c.open && (!d.Opening.Start.Equal(utc(2026, 10, 25, 0, 0)) || !d.Opening.End.Equal(utc(2026, 10, 25, 4, 0))) {
				t.Errorf("opening = %v, want 00:00Z-04:00Z", d.Opening)
			}
		})
	}
}

func TestDSTOctoberCalendar(t *testing.T) {
	// Four nodes due on 2026-10-24 with a 30-day grace: one per Sunday, oldest first.
	pol := parisSundays(t, dur(720*time.Hour+30*day))
	p := agedPool(4, utc(2026, 10, 24, 12, 0).Add(-720*time.Hour), time.Hour)
	cal := BuildCalendar(pol, readyCluster(), p, utc(2026, 10, 20, 12, 0), DefaultHorizon)
	type row struct {
		Start, End string
		Nodes      string
	}
	var got []row
	for _, o := range cal.Openings {
		var names []string
		for _, n := range o.Nodes {
			names = append(names, n.Name)
		}
		got = append(got, row{o.Start.Format("2006-01-02 15:04 MST"), o.End.Format("2006-01-02 15:04 MST"), strings.Join(names, ",")})
		if o.Start.Hour() != 2 || o.Start.Minute() != 0 {
			t.Errorf("opening %s does not start at 02:00 local", o.Start)
		}
	}
	want := []row{
		{"2026-10-25 02:00 CEST", "2026-10-25 05:00 CET", "n03"},
		{"2026-11-01 02:00 CET", "2026-11-01 05:00 CET", "n02"},
		{"2026-11-08 02:00 CET", "2026-11-08 05:00 CET", "n01"},
		{"2026-11-15 02:00 CET", "2026-11-15 05:00 CET", "n00"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calendar mismatch (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := WriteCalendar(&b, cal); err != nil {
		t.Fatal(err)
	}
	golden(t, "calendar_dst_october.golden", b.String())
}

// Europe/Paris enters summer time on 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:00 local
// does not exist. robfig/cron does not fire that day (it skips the missing time, it does not run
// the job at 03:00): the window has no opening on 2026-03-29 and due nodes wait a week.
func TestDSTSpringForward(t *testing.T) {
	pol := parisSundays(t, nil)
	p := agedPool(1, utc(2026, 2, 1, 0, 0), 0) // overdue
	for _, now := range []time.Time{utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 2, 30)} {
		d := Candidates(pol, readyCluster(), p, now)
		if d.Opening != nil || len(d.Rotating()) != 0 {
			t.Errorf("%s: window open %v, rotating %v; want closed on the spring-forward day", now, d.Opening, rotatingNames(d))
		}
		if d.NextOpening == nil || !d.NextOpening.Start.Equal(utc(2026, 4, 5, 0, 0)) {
			t.Errorf("%s: next opening %v, want 2026-04-05 02:00 CEST (00:00Z)", now, d.NextOpening)
		}
	}
	cal := BuildCalendar(pol, readyCluster(), p, utc(2026, 3, 25, 0, 0), DefaultHorizon)
	var starts []string
	for _, o := range cal.Openings {
		starts = append(starts, o.Start.Format("2006-01-02 15:04 MST"))
	}
	want := []string{"2026-04-05 02:00 CEST", "2026-04-12 02:00 CEST", "2026-04-19 02:00 CEST"}
	if diff := cmp.Diff(want, starts); diff != "" {
		t.Errorf("openings mismatch (-want +got):\n%s", diff)
	}
	if next := cal.Next(); next == nil || next.Nodes[0].Name != "n00" || !next.Start.Equal(utc(2026, 4, 5, 0, 0)) {
		t.Errorf("next rotation = %+v, want n00 on 2026-04-05", next)
	}
}
