package rotation

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteDryRun renders decisions for `reconciler rotate --dry-run`: per pool (ordered by cluster,
// then pool), the policy, the window and budget, then every node with its decision and reason.
// The order is deterministic: pools by name, nodes oldest first.
func WriteDryRun(w io.Writer, decisions []Decision) error {
	ds := slices.Clone(decisions)
	slices.SortStableFunc(ds, func(a, b Decision) int {
		return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Pool, b.Pool))
	})
	var b strings.Builder
	total := 0
	for i, d := range ds {
		if i > 0 {
			b.WriteString("\n")
		}
		writePool(&b, d)
		total += len(d.Rotating())
	}
	fmt.Fprintf(&b, "\n%d node(s) to rotate now in %d pool(s).\n", total, len(ds))
	_, err := io.WriteString(w, b.String())
	return err
}

func writePool(b *strings.Builder, d Decision) {
	loc := d.location()
	fmt.Fprintf(b, "cluster %s, pool %s (%s)\n", d.Cluster, d.Pool, d.Policy.describe())
	switch {
	case d.Policy.blocker() != "":
		fmt.Fprintf(b, "  rotation held: %s\n", d.Policy.blocker())
	case d.Opening != nil:
		fmt.Fprintf(b, "  window open: %s to %s\n", fmtTime(d.Opening.Start, loc), fmtTime(d.Opening.End, loc))
	case d.NextOpening != nil:
		fmt.Fprintf(b, "  window closed: next opening %s to %s\n", fmtTime(d.NextOpening.Start, loc), fmtTime(d.NextOpening.End, loc))
	default:
		fmt.Fprintf(b, "  window closed: no opening in the next %s\n", FormatAge(DefaultHorizon))
	}
	if d.Policy.blocker() == "" {
		fmt.Fprintf(b, "  budget: %d node(s) at once, %d not ready now\n", d.Concurrency, d.Unavailable)
	}
	if len(d.Nodes) == 0 {
		b.WriteString("  no nodes\n")
		return
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  NODE\tSTATUS\tAGE\tDECISION\tREASON\tDETAIL")
	for _, n := range d.Nodes {
		verdict := "keep"
		if n.Rotate {
			verdict = "ROTATE"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Status, FormatAge(n.Age), verdict, n.Reason, n.Message)
	}
	_ = tw.Flush() // writes to a strings.Builder cannot fail
}

// WriteCalendar renders a pool's calendar as text: each opening that replaces nodes, with them,
// then the unscheduled nodes and the warnings. Openings that replace nothing are counted, not listed.
func WriteCalendar(w io.Writer, cal Calendar) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cluster %s, pool %s: rotation calendar %s to %s (%s)\n", cal.Cluster, cal.Pool,
		fmtTime(cal.From, cal.location()), fmtTime(cal.To, cal.location()), cal.TimeZone)
	loc := cal.location()
	empty := 0
	for _, o := range cal.Openings {
		if len(o.Nodes) == 0 {
			empty++
			continue
		}
		fmt.Fprintf(&b, "  %s to %s: %d node(s)\n", fmtTime(o.Start, loc), fmtTime(o.End, loc), len(o.Nodes))
		for _, n := range o.Nodes {
			fmt.Fprintf(&b, "    %s  due %s  deadline %s  %s\n", n.Name, fmtTime(n.Due, loc), fmtTime(n.Deadline, loc), n.Reason)
		}
	}
	fmt.Fprintf(&b, "  %d opening(s) in the horizon, %d with nothing to replace\n", len(cal.Openings), empty)
	for _, n := range cal.Later {
		fmt.Fprintf(&b, "  later: %s  due %s  deadline %s\n", n.Name, fmtTime(n.Due, loc), fmtTime(n.Deadline, loc))
	}
	for _, wn := range cal.Warnings {
		fmt.Fprintf(&b, "  warning %s: %s\n", wn.Code, wn.Message)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// location is the window's zone: every time of a calendar is expressed in it.
func (c Calendar) location() *time.Location { return c.From.Location() }
