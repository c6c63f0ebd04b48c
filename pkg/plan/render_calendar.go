package plan

import (
	"fmt"
	"strings"
	"time"
)

// calendarLines renders one pool's calendar compactly: a head line, then one line per opening
// that replaces nodes, then the nodes left for later. Times are in the calendar's zone.
func calendarLines(c PoolCalendar, code func(string) string) (head string, lines []string) {
	c = inZone(c)
	zone := c.TimeZone
	if c.AnyTime {
		zone = "any time, UTC days"
	}
	n := 0
	for _, o := range c.Openings {
		n += len(o.Nodes)
	}
	if n == 0 {
		head = fmt.Sprintf("pool %s (%s): nothing to replace until %s (%d opening(s))", code(c.Pool), zone, calTime(c.Until), c.EmptyOpenings)
	} else {
		head = fmt.Sprintf("pool %s (%s): %d node(s) in %d opening(s) until %s, %d other opening(s) replace nothing",
			code(c.Pool), zone, n, len(c.Openings), calTime(c.Until), c.EmptyOpenings)
	}
	for _, o := range c.Openings {
		names := make([]string, len(o.Nodes))
		for i, nd := range o.Nodes {
			names[i] = code(nd)
			for _, late := range o.Overdue {
				if late == nd {
					names[i] += " (overdue)"
				}
			}
		}
		end := calTime(o.End)
		if o.End.Format("2006-01-02") == o.Start.Format("2006-01-02") {
			end = o.End.Format("15:04 MST")
		}
		lines = append(lines, fmt.Sprintf("%s – %s: %s", calTime(o.Start), end, strings.Join(names, ", ")))
	}
	if len(c.Later) > 0 {
		later := make([]string, len(c.Later))
		for i, nd := range c.Later {
			later[i] = code(nd)
		}
		lines = append(lines, "later: "+strings.Join(later, ", "))
	}
	return head, lines
}

// inZone returns c with its times in its TimeZone: a calendar read back from JSON carries bare
// offsets (or UTC), and the window's zone is what its reader wrote the window in. An unknown
// zone leaves the times as they are.
func inZone(c PoolCalendar) PoolCalendar {
	loc, err := time.LoadLocation(c.TimeZone)
	if c.TimeZone == "" || err != nil {
		return c
	}
	c.Until = c.Until.In(loc)
	openings := make([]CalendarOpening, len(c.Openings))
	for i, o := range c.Openings {
		o.Start, o.End = o.Start.In(loc), o.End.In(loc)
		openings[i] = o
	}
	c.Openings = openings
	return c
}

// calTime renders a calendar instant in its own zone, to the minute.
func calTime(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }
