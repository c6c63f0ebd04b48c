package status

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/revision"
)

// Paths of the files a cluster's status is written to, relative to the repository root.
func Paths(cluster string) (statusPath, reportPath string) {
	return "status/" + cluster + ".yaml", "reports/" + cluster + ".md"
}

// header is written at the top of every status file.
const header = "# Written by the reconciler; edits are overwritten. Human report: ../reports/%s.md\n"

// MarshalYAML renders the status file.
func MarshalYAML(s *ClusterStatus) ([]byte, error) {
	b, err := yaml.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("marshal status of %q: %w", s.Cluster, err)
	}
	return append([]byte(fmt.Sprintf(header, s.Cluster)), b...), nil
}

// ParseYAML reads a status file written by MarshalYAML.
func ParseYAML(b []byte) (*ClusterStatus, error) {
	var s ClusterStatus
	if err := yaml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parse status: %w", err)
	}
	if s.Kind != Kind {
		return nil, fmt.Errorf("parse status: kind is %q, want %q", s.Kind, Kind)
	}
	return &s, nil
}

// Report renders reports/<cluster>.md from the status alone, so the two always agree. It writes
// creation and due dates rather than ages, so an idle loop renders the same bytes.
func Report(s *ClusterStatus) []byte {
	var b bytes.Buffer
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Cluster `%s` (%s)\n\n", s.Cluster, s.Region)
	w("_Written by the reconciler from revision `%s`; machine-readable: `status/%s.yaml`._\n\n", revision.Short(s.LastAttemptedRevision), s.Cluster)
	// What went wrong comes first: the facts below may be older than this pass.
	if len(s.Errors) > 0 {
		w("## Errors in revision `%s` (nothing was applied)\n\n```\n%s\n```\n\n", revision.Short(s.LastAttemptedRevision), strings.Join(s.Errors, "\n"))
	}
	if s.LastError != nil && s.Cluster != RepositoryName {
		w("## Last error\n\n")
		if s.LastError.Action != "" {
			w("Action `%s` failed", s.LastError.Action)
		} else {
			w("The last pass failed")
		}
		w(" (revision `%s`):\n\n```\n%s\n```\n\n", revision.Short(s.LastError.Revision), s.LastError.Message)
	}
	for _, m := range s.Warnings {
		if m.Code == "spec-behind" {
			w("## Scaleway upgraded this cluster\n\n%s\n\n", m.Message)
		}
	}
	w("| | |\n|---|---|\n")
	w("| ID | `%s` |\n| Status | %s |\n| Type | %s |\n| Version | %s |\n", orDash(s.ID), orDash(s.Status), orDash(s.Type), orDash(s.Version))
	if o := s.LastObserved; o != nil {
		when := "by an earlier pass"
		if o.At != nil {
			when = "at " + stamp(*o.At, s.TimeZone)
		}
		w("| Observed | %s, revision `%s` (not by this pass: %s) |\n", when, revision.Short(o.Revision), cell(o.Reason))
	}
	w("| Last applied revision | `%s` |\n\n", revision.Short(s.ObservedRevision))

	w("## Conditions\n\n| Condition | Status | Reason | Message |\n|---|---|---|---|\n")
	for _, c := range s.Conditions {
		w("| %s | %s | %s | %s |\n", c.Type, c.Status, c.Reason, cell(c.Message))
	}
	if len(s.Orphans) > 0 {
		w("\n## Orphans\n\nLive clusters owned by this repository that no spec and no status name:\n\n| Cluster | Region | ID | What happens | Detail |\n|---|---|---|---|---|\n")
		for _, o := range s.Orphans {
			w("| `%s` | %s | `%s` | %s | %s |\n", o.Name, o.Region, o.ID, o.Action, cell(o.Message))
		}
	}
	if s.Cluster == RepositoryName {
		return b.Bytes() // the rest describes one cluster
	}
	w("\n## Drift\n\n")
	switch unknown, why := driftUnknown(s); {
	case unknown:
		w("Drift unknown: %s\n", why)
	case len(s.Drift) == 0:
		w("No drift: live state matches the spec.\n")
	default:
		w("| Field | Spec | Live | What happens |\n|---|---|---|---|\n")
		for _, d := range s.Drift {
			w("| `%s` | %s | %s | %s |\n", d.Field, value(d.Spec), value(d.Live), d.Action)
		}
	}
	if len(s.DriftReverted) > 0 {
		w("\n## Drift reverted\n\n| When | Field | Found (live) | Set back to (spec) | Action |\n|---|---|---|---|---|\n")
		for _, r := range s.DriftReverted {
			w("| %s | `%s` | %s | %s | `%s` |\n", stamp(r.At, s.TimeZone), r.Field, value(r.Before), value(r.After), r.Action)
		}
	}
	w("\n## Upgrade path\n\n")
	if c := conditionOf(s, UpgradeAvailable); c.Status == "Unknown" && len(s.UpgradePath) == 0 {
		w("Unknown: no plan was made (%s).\n", c.Message)
	} else if len(s.UpgradePath) == 0 {
		w("None: the cluster is at the spec's version.\n")
	} else {
		w("%s → %s (one minor per hop, control plane before its pools)\n", orDash(s.Version), strings.Join(s.UpgradePath, " → "))
	}
	writePending(w, "Planned actions", s.Pending)
	writePending(w, "Deferred", s.Deferred)
	if len(s.Warnings) > 0 {
		w("\n## Warnings\n\n")
		for _, m := range s.Warnings {
			w("- **%s**: %s\n", m.Code, m.Message)
		}
	}
	writePools(w, s.Pools)
	if len(s.RecentActions) > 0 {
		w("\n## Recent actions\n\n| Action | Outcome | Message |\n|---|---|---|\n")
		for _, a := range s.RecentActions {
			w("| `%s` | %s | %s |\n", a.ID, a.Outcome, cell(a.Message))
		}
	}
	return b.Bytes()
}

func writePending(w func(string, ...any), title string, ps []Pending) {
	if len(ps) == 0 {
		return
	}
	w("\n## %s\n\n| Action | Reason | Why | Detail |\n|---|---|---|---|\n", title)
	for _, p := range ps {
		w("| `%s` | %s | %s | %s |\n", p.ID, orDash(p.Reason), orDash(p.Why), cell(p.Message))
	}
}

func writePools(w func(string, ...any), pools []PoolStatus) {
	if len(pools) == 0 {
		return
	}
	w("\n## Pools\n\n| Pool | Status | Version | Node type | Size | Nodes |\n|---|---|---|---|---|---|\n")
	for _, p := range pools {
		size := fmt.Sprint(p.Size)
		if p.Autoscaling {
			size += " (autoscaled)"
		}
		w("| %s | %s | %s | %s | %s | %d |\n", p.Name, p.Status, p.Version, p.NodeType, size, len(p.Nodes))
	}
	w("\n## Rotation calendar\n\n")
	any := false
	for _, p := range pools {
		for _, r := range p.RotationCalendar {
			if !any {
				w("| Pool | Window opens | Window closes | Nodes replaced |\n|---|---|---|---|\n")
				any = true
			}
			w("| %s | %s | %s | %s |\n", p.Name, stamp(r.WindowStart, p.TimeZone), stamp(r.WindowEnd, p.TimeZone), strings.Join(r.Nodes, ", "))
		}
	}
	if !any {
		w("No node is due for rotation in the coming 30 days.\n")
	}
	w("\n### Nodes\n\n| Pool | Node | Status | Created | Rotation due |\n|---|---|---|---|---|\n")
	for _, p := range pools {
		for _, n := range p.Nodes {
			due := "-"
			if n.RotationDue != nil {
				due = stamp(*n.RotationDue, p.TimeZone)
			}
			w("| %s | %s | %s | %s | %s |\n", p.Name, n.Name, n.Status, stamp(n.CreatedAt, p.TimeZone), due)
		}
	}
}

// stamp writes t to the minute in the time zone tz (a pool's rotation window's; "" is UTC), so
// the calendar reads in the zone its window is written in. An unknown zone falls back to UTC.
func stamp(t time.Time, tz string) string {
	loc := time.UTC
	if tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// driftUnknown reports whether the status could not compare live state with the spec, and why.
func driftUnknown(s *ClusterStatus) (bool, string) {
	c := conditionOf(s, Drifted)
	return c.Status == "Unknown", c.Message
}

func conditionOf(s *ClusterStatus, t ConditionType) Condition {
	for _, c := range s.Conditions {
		if c.Type == t {
			return c
		}
	}
	return Condition{}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func value(v any) string {
	if v == nil {
		return "-"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return cell(fmt.Sprint(v))
	}
	return "`" + cell(string(b)) + "`"
}
