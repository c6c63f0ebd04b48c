package rotation

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Calendar is a pool's rotation forecast over [From, To): every window opening and the nodes each
// will replace. It feeds the plan, previews, status and reports.
type Calendar struct {
	Cluster string    `json:"cluster"`
	Pool    string    `json:"pool"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	// TimeZone is the window's zone ("UTC" when rotation may run any time).
	TimeZone string `json:"time_zone"`
	// AnyTime is true when the pool has no window: openings are then UTC days.
	AnyTime bool `json:"any_time,omitempty"`
	// Openings are in order; an opening may replace no node.
	Openings []CalendarOpening `json:"openings"`
	// Later are ready nodes due before To that no opening before To replaces (the soft schedule
	// puts them after To, or the window has no opening).
	Later []CalendarNode `json:"later,omitempty"`
	// Warnings are for the plan: invalid policy, missed deadlines, nodes with no opening.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is a coded message about a pool's rotation (the plan shows it as its own warning).
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// CalendarOpening is one opening and the nodes it will replace, oldest first.
type CalendarOpening struct {
	Start time.Time      `json:"start"`
	End   time.Time      `json:"end"`
	Nodes []CalendarNode `json:"nodes"`
}

// CalendarNode is one node in the calendar.
type CalendarNode struct {
	Name      string    `json:"name"`
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Due       time.Time `json:"due"`
	Deadline  time.Time `json:"deadline"`
	// Reason is node-max-age, or node-past-deadline when the node goes after its deadline.
	Reason Reason `json:"reason"`
}

// Next returns the first opening that replaces a node, or nil.
func (c Calendar) Next() *CalendarOpening {
	for i := range c.Openings {
		if len(c.Openings[i].Nodes) > 0 {
			return &c.Openings[i]
		}
	}
	return nil
}

// BuildCalendar forecasts pool p's rotations from now over horizon (DefaultHorizon if <= 0).
// The schedule itself always looks DefaultHorizon ahead, as Candidates does.
// It replays Candidates at every opening, so the forecast is what the passes will do as long as
// the pool's state changes only by those rotations and each finishes inside its opening.
func BuildCalendar(pol Policy, c *cloud.Cluster, p *cloud.Pool, now time.Time, horizon time.Duration) Calendar {
	if horizon <= 0 {
		horizon = DefaultHorizon
	}
	loc := time.UTC
	if pol.Window != nil {
		loc = pol.Window.Location
	}
	// Every time is expressed in the window's zone, so that renderers need no zone lookup.
	in := func(t time.Time) time.Time { return t.In(loc) }
	cal := Calendar{Cluster: c.Name, Pool: p.Name, From: in(now), To: in(now.Add(horizon)), TimeZone: loc.String(), AnyTime: pol.Window == nil}
	for _, pr := range pol.Problems {
		cal.Warnings = append(cal.Warnings, Warning{Code: "rotation-" + string(pr.Reason),
			Message: fmt.Sprintf("pool %q: %s: %s; no node is rotated until it is fixed", p.Name, pr.Field, pr.Message)})
	}
	if pol.blocker() != "" {
		return cal
	}
	conc := pol.concurrency(len(p.Nodes), upgradeCap(p.UpgradePolicy))
	all := openerFor(pol).openings(now, cal.To.Add(scheduleSpan(pol, DefaultHorizon)))
	remaining := sortedNodes(p.Nodes)
	ghost := make([]bool, len(remaining)) // a fresh replacement: scheduled, never listed
	var late []string
	// Simulate the passes: at each opening's start (or now, inside the current one) the nodes the
	// schedule puts in that opening are replaced during it. A replaced node comes back as a fresh
	// node, which takes part in the schedule's look-ahead (it can raise the level) but does not
	// reappear in the calendar.
	for k := 0; k < len(all) && all[k].Start.Before(cal.To); k++ {
		t := now
		if all[k].Start.After(now) {
			t = all[k].Start
		}
		sch := buildSchedule(all[k:], pol, conc, remaining, t, DefaultHorizon)
		o := CalendarOpening{Start: in(all[k].Start), End: in(all[k].End), Nodes: []CalendarNode{}}
		var fresh []cloud.Node
		keep, keepGhost := make([]cloud.Node, 0, len(remaining)), make([]bool, 0, len(remaining))
		for i, n := range remaining {
			pl := sch.slots[i]
			if !pl.scheduled || pl.opening != 0 {
				keep, keepGhost = append(keep, n), append(keepGhost, ghost[i])
				continue
			}
			fresh = append(fresh, cloud.Node{Name: n.Name, Status: statusReady, CreatedAt: t})
			if ghost[i] {
				continue
			}
			cn := calendarNode(n, pol, in)
			if pl.forced {
				cn.Reason = PastDeadline
				late = append(late, n.Name)
			}
			o.Nodes = append(o.Nodes, cn)
		}
		for _, f := range fresh {
			keep, keepGhost = append(keep, f), append(keepGhost, true)
		}
		remaining, ghost = keep, keepGhost
		cal.Openings = append(cal.Openings, o)
	}
	for i, n := range remaining {
		if ghost[i] {
			continue
		}
		if n.Status == statusReady && n.CreatedAt.Add(pol.MaxAge).Before(cal.To) {
			cn := calendarNode(n, pol, in)
			if cn.Deadline.Before(cal.To) {
				late = append(late, n.Name)
			}
			cal.Later = append(cal.Later, cn)
		}
	}
	if len(late) > 0 {
		cal.Warnings = append(cal.Warnings, Warning{Code: "rotation-deadline-missed",
			Message: fmt.Sprintf("pool %q: %d node(s) will be rotated after their deadline, the windows and budget leave too little room: %s",
				p.Name, len(late), strings.Join(late, ", "))})
	}
	if len(cal.Later) > 0 && len(cal.Openings) == 0 {
		cal.Warnings = append(cal.Warnings, Warning{Code: "rotation-no-opening",
			Message: fmt.Sprintf("pool %q: %d node(s) are due by %s and the window has no opening before then",
				p.Name, len(cal.Later), fmtTime(cal.To, loc))})
	}
	return cal
}

func calendarNode(n cloud.Node, pol Policy, in func(time.Time) time.Time) CalendarNode {
	return CalendarNode{Name: n.Name, ID: n.ID, CreatedAt: in(n.CreatedAt), Due: in(n.CreatedAt.Add(pol.MaxAge)),
		Deadline: in(n.CreatedAt.Add(pol.Deadline)), Reason: MaxAge}
}

// sortedNodes returns a copy of nodes, oldest first (ties by name, then ID).
func sortedNodes(nodes []cloud.Node) []cloud.Node {
	out := slices.Clone(nodes)
	slices.SortFunc(out, func(a, b cloud.Node) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out
}
