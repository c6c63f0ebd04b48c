package window

import (
	"testing"
	"time"
)

func mustParse(t *testing.T, s string, d time.Duration, tz string) *Window {
	t.Helper()
	w, err := Parse(s, d, tz)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return w
}

func TestActive(t *testing.T) {
	w := mustParse(t, "0 3 * * SUN", 3*time.Hour, "Europe/Paris")
	paris, _ := time.LoadLocation("Europe/Paris")
	cases := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"before", time.Date(2026, 11, 29, 2, 59, 0, 0, paris), false},
		{"at start", time.Date(2026, 11, 29, 3, 0, 0, 0, paris), true},
		{"inside", time.Date(2026, 11, 29, 5, 59, 0, 0, paris), true},
		{"at end", time.Date(2026, 11, 29, 6, 0, 0, 0, paris), false},
		{"other day", time.Date(2026, 11, 28, 4, 0, 0, 0, paris), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iv, got := w.Active(c.now.UTC())
			if got != c.want {
				t.Fatalf("Active(%s) = %v, want %v (%v)", c.now, got, c.want, iv)
			}
			if got && !iv.End.Equal(time.Date(2026, 11, 29, 6, 0, 0, 0, paris)) {
				t.Errorf("end = %s", iv.End)
			}
		})
	}
}

func TestDSTOctober(t *testing.T) {
	// Europe/Paris leaves summer time on 2026-10-25 at 03:00 CEST -> 02:00 CET.
	w := mustParse(t, "0 3 * * SUN", 3*time.Hour, "Europe/Paris")
	from := time.Date(2026, 10, 17, 0, 0, 0, 0, time.UTC)
	ops := w.Openings(from, from.Add(14*24*time.Hour))
	if len(ops) != 2 {
		t.Fatalf("openings = %v, want 2", ops)
	}
	// 03:00 CEST = 01:00 UTC; 03:00 CET = 02:00 UTC.
	if got := ops[0].Start.UTC(); !got.Equal(time.Date(2026, 10, 18, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("first opening = %s", got)
	}
	if got := ops[1].Start.UTC(); !got.Equal(time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("opening after DST change = %s", got)
	}
	for _, iv := range ops {
		if iv.End.Sub(iv.Start) != 3*time.Hour {
			t.Errorf("opening %v lasts %s, want 3h of elapsed time", iv, iv.End.Sub(iv.Start))
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		s  string
		d  time.Duration
		tz string
	}{
		{"not cron", time.Hour, ""},
		{"0 3 * * SUN", 0, ""},
		{"0 3 * * SUN", -time.Hour, ""},
		{"0 3 * * SUN", time.Hour, "Mars/Olympus"},
		{"TZ=UTC 0 3 * * SUN", time.Hour, ""},
		{"0 3 * * SUN", 200 * time.Hour, ""},
	} {
		if _, err := Parse(c.s, c.d, c.tz); err == nil {
			t.Errorf("Parse(%q, %s, %q) succeeded, want error", c.s, c.d, c.tz)
		}
	}
}

func TestOverlappingFiringsMerge(t *testing.T) {
	w := mustParse(t, "0 * * * *", 90*time.Minute, "")
	now := time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC)
	iv, ok := w.Active(now)
	if !ok {
		t.Fatal("want active")
	}
	if !iv.End.After(now.Add(24 * time.Hour)) {
		t.Errorf("hourly 90m window should be continuously open, end = %s", iv.End)
	}
}

// TestActiveStartAcrossFallBack: on 2026-10-25 Europe/Paris, 02:00 happens twice and robfig/cron
// fires at both; the merged opening must report the same start (the first 02:00) all along.
func TestActiveStartAcrossFallBack(t *testing.T) {
	w := mustParse(t, "0 2 * * SUN", 3*time.Hour, "Europe/Paris")
	wantStart := time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC) // 02:00 CEST
	wantEnd := time.Date(2026, 10, 25, 4, 0, 0, 0, time.UTC)   // 05:00 CET
	for _, now := range []time.Time{wantStart, wantStart.Add(time.Hour + 30*time.Minute), wantEnd.Add(-time.Minute)} {
		iv, ok := w.Active(now)
		if !ok || !iv.Start.Equal(wantStart) || !iv.End.Equal(wantEnd) {
			t.Errorf("Active(%s) = %v %v, want [%s, %s)", now.UTC(), iv, ok, wantStart, wantEnd)
		}
	}
	if _, ok := w.Active(wantEnd); ok {
		t.Errorf("Active(%s) open, want closed", wantEnd)
	}
}
