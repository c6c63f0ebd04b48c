package plan

import (
	"strings"
	"testing"
	"time"
)

// A calendar whose times come back in UTC (from JSON, from the status) still reads in the
// window's zone.
func TestCalendarLinesInTheWindowsZone(t *testing.T) {
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC) // 01:00 in Paris (CET)
	c := PoolCalendar{Pool: "web", TimeZone: "Europe/Paris", Until: start.Add(72 * time.Hour),
		Openings: []CalendarOpening{{Start: start, End: start.Add(3 * time.Hour), Nodes: []string{"n1"}}}}
	head, lines := calendarLines(c, func(s string) string { return s })
	if !strings.Contains(head, "(Europe/Paris)") || !strings.Contains(head, "until 2026-12-10 01:00 CET") {
		t.Errorf("head = %q", head)
	}
	if len(lines) != 1 || lines[0] != "2026-12-07 01:00 CET – 04:00 CET: n1" {
		t.Errorf("lines = %q", lines)
	}
}
