package apply

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText renders r for people: one line per action that did not simply succeed, each failed or
// stale cluster with its error, and a closing summary line, terraform-style:
//
//	Apply complete: 5 done, 1 skipped, 0 failed, 0 not run.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	for _, c := range r.Clusters {
		for _, a := range c.Actions {
			switch a.Outcome {
			case Done:
				fmt.Fprintf(&b, "  ✓ %s (%s)\n", a.ID, a.Duration.Round(time.Second))
			case Skipped:
				fmt.Fprintf(&b, "  - %s: skipped (%s)\n", a.ID, a.Reason)
			case Failed:
				fmt.Fprintf(&b, "  ✗ %s: failed: %s\n", a.ID, a.Error)
			case NotRun:
				if a.Reason != "" {
					fmt.Fprintf(&b, "  · %s: not run (%s)\n", a.ID, a.Reason)
				} else {
					fmt.Fprintf(&b, "  · %s: not run\n", a.ID)
				}
			}
		}
		switch c.State {
		case ClusterStale:
			fmt.Fprintf(&b, "Cluster %s: not applied: %s (plan again)\n", c.Name, c.Error)
		case ClusterFailed:
			fmt.Fprintf(&b, "Cluster %s: failed: %s\n", c.Name, c.Error)
		}
	}
	verdict := "Apply complete"
	if r.Failed() {
		verdict = "Apply failed"
	}
	fmt.Fprintf(&b, "\n%s: %d done, %d skipped, %d failed, %d not run.\n",
		verdict, r.Count(Done), r.Count(Skipped), r.Count(Failed), r.Count(NotRun))
	_, err := io.WriteString(w, b.String())
	return err
}
