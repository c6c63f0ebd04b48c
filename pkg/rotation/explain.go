package rotation

import (
	"fmt"
	"strings"
	"time"
)

// message says a node decision's reason in words, with the numbers behind it.
func message(d Decision, nd NodeDecision) string {
	loc := d.location()
	at := func(t time.Time) string { return fmtTime(t, loc) }
	switch nd.Reason {
	case RotationDisabled:
		return "rotation is disabled for this pool"
	case InvalidWindow, InvalidBudget, InvalidPolicy:
		var ps []string
		for _, p := range d.Policy.Problems {
			ps = append(ps, p.Field+": "+p.Message)
		}
		return strings.Join(ps, "; ") + "; nothing is rotated until the policy is fixed"
	case InProgress:
		return fmt.Sprintf("node is %s: a change is already under way", nd.Status)
	case NodeNotReady:
		return fmt.Sprintf("node status is %q", nd.Status)
	case TooYoung:
		return fmt.Sprintf("due at %s (in %s)", at(nd.Due), FormatAge(nd.Due.Sub(d.Now)))
	case ClusterNotReady:
		return fmt.Sprintf("due since %s; cluster status is %q", at(nd.Due), d.ClusterStatus)
	case PoolNotReady:
		return fmt.Sprintf("due since %s; pool status is %q", at(nd.Due), d.PoolStatus)
	case OutsideWindow:
		next := "no opening in the next " + FormatAge(DefaultHorizon)
		if d.NextOpening != nil {
			next = "next opening " + at(d.NextOpening.Start)
		}
		return fmt.Sprintf("due since %s; window closed, %s%s", at(nd.Due), next, slotNote(d, nd))
	case ScheduledLater:
		if nd.Slot == nil {
			return fmt.Sprintf("due since %s; no opening for it in the next %s (deadline %s)", at(nd.Due), FormatAge(DefaultHorizon), at(nd.Deadline))
		}
		return fmt.Sprintf("due since %s; the soft schedule spreads it to the opening of %s (deadline %s)", at(nd.Due), at(nd.Slot.Start), at(nd.Deadline))
	case BudgetExhausted:
		return fmt.Sprintf("due since %s; budget of %d node(s) at once in use (%d not ready, the rest picked before it)", at(nd.Due), d.Concurrency, d.Unavailable)
	case MaxAge:
		return fmt.Sprintf("due since %s; rotated in this opening (deadline %s)", at(nd.Due), at(nd.Deadline))
	case PastDeadline:
		return fmt.Sprintf("past its deadline %s: rotated at this opening regardless of the soft schedule", at(nd.Deadline))
	}
	panic("rotation: unknown reason " + string(nd.Reason))
}

func slotNote(d Decision, nd NodeDecision) string {
	if nd.Slot == nil || (d.NextOpening != nil && nd.Slot.Start.Equal(d.NextOpening.Start)) {
		return ""
	}
	return "; scheduled for the opening of " + fmtTime(nd.Slot.Start, d.location())
}

func (d Decision) location() *time.Location {
	if d.Policy.Window != nil {
		return d.Policy.Window.Location
	}
	return time.UTC
}

// fmtTime renders an instant in the window's zone, to the minute, with the zone's abbreviation.
func fmtTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// FormatAge renders a span in days and hours ("41d", "3d4h", "5h", "12m").
func FormatAge(d time.Duration) string {
	if d < 0 {
		return "-" + FormatAge(-d)
	}
	days, rest := d/day, d%day
	hours := rest / time.Hour
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%dd%dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	case hours > 0:
		return fmt.Sprintf("%dh", hours)
	default:
		return fmt.Sprintf("%dm", rest/time.Minute)
	}
}

// FormatDuration renders a configured duration as it is usually written ("720h", "30m", "1h30m").
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
