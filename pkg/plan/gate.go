package plan

import (
	"fmt"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Deferral reasons (Deferred.Why).
const (
	WhyOutsideWindow = "outside-window"
	WhyInvalidWindow = "invalid-window"
	WhyNotReady      = "not-ready"
	WhyLocked        = "locked"
	WhyNeedsOptIn    = "needs-opt-in"
	WhySuperseded    = "superseded"
	WhyDriftReport   = "report-only"
	WhyNotOwned      = "not-owned"
)

// gate is a reason an action may not run now.
type gate struct{ why, msg string }

var (
	readyClusterStatuses = []string{"ready", "pool_required"}
	knownClusterStatuses = []string{"creating", "ready", "deleting", "updating", "upgrading", "locked", "pool_required"}
	readyPoolStatuses    = []string{"ready", "warning"}
)

// clusterGate says whether a live cluster can take mutating calls now.
func clusterGate(c *cloud.Cluster) *gate {
	switch {
	case c.Status == "locked":
		return &gate{WhyLocked, fmt.Sprintf("cluster %s is locked by Scaleway", c.Name)}
	case !slices.Contains(readyClusterStatuses, c.Status):
		return &gate{WhyNotReady, fmt.Sprintf("cluster %s is %s", c.Name, orUnknown(c.Status))}
	}
	return nil
}

// poolGate says whether a live pool can take mutating calls now.
func poolGate(p *cloud.Pool) *gate {
	switch {
	case p == nil:
		return nil
	case p.Status == "locked":
		return &gate{WhyLocked, fmt.Sprintf("pool %s is locked by Scaleway", p.Name)}
	case !slices.Contains(readyPoolStatuses, p.Status):
		return &gate{WhyNotReady, fmt.Sprintf("pool %s is %s", p.Name, orUnknown(p.Status))}
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "in an unknown status"
	}
	return s
}

// windowGate says whether disruptive work (upgrades, replacements) may run at now under the
// cluster's spec.upgrade.window: no window means any time; an invalid window means never (fail
// closed); outside the window the message gives the next opening in the window's zone.
func windowGate(c *spec.Cluster, now time.Time) *gate {
	if c.Spec.Upgrade == nil || c.Spec.Upgrade.Window == nil {
		return nil
	}
	sw := c.Spec.Upgrade.Window
	w, err := sw.Parse()
	if err != nil {
		return &gate{WhyInvalidWindow, fmt.Sprintf("spec.upgrade.window is invalid, so no disruptive work runs: %v", err)}
	}
	if _, ok := w.Active(now); ok {
		return nil
	}
	iv, ok := w.Next(now)
	if !ok {
		return &gate{WhyOutsideWindow, fmt.Sprintf("spec.upgrade.window (%q) never opens", sw.Schedule)}
	}
	return &gate{WhyOutsideWindow, fmt.Sprintf("the upgrade window opens next at %s for %s",
		iv.Start.In(w.Location).Format(time.RFC3339), formatDuration(iv.End.Sub(iv.Start)))}
}

// formatDuration writes 4h0m0s as 4h and 90m as 1h30m.
func formatDuration(d time.Duration) string {
	s := d.String()
	for _, suf := range []string{"m0s", "h0m"} {
		if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
			s = s[:len(s)-len(suf)+1]
		}
	}
	return s
}
