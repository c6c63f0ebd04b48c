package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Output formats accepted by Render.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// Render renders p in one of the output formats (text, json, markdown).
func Render(p *Plan, format string) ([]byte, error) {
	if err := CheckFormat(format); err != nil {
		return nil, err
	}
	switch format {
	case FormatJSON:
		return JSON(p)
	case FormatMarkdown, "md":
		return []byte(Markdown(p)), nil
	}
	return []byte(Text(p)), nil
}

// CheckFormat refuses an output format Render does not know; commands call it before any I/O.
func CheckFormat(format string) error {
	switch format {
	case FormatText, "", FormatJSON, FormatMarkdown, "md":
		return nil
	}
	return fmt.Errorf("unknown plan format %q: use text, json or markdown", format)
}

// JSON renders the plan as indented JSON: exactly the Plan struct, format_version first.
func JSON(p *Plan) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return b.Bytes(), nil
}

// Symbol is the terraform-like marker of an action type.
func Symbol(t ActionType) string {
	switch t {
	case CreateCluster, CreatePool:
		return "+"
	case UpdateCluster, UpdatePool, SetClusterType, SetClusterACL:
		return "~"
	case UpgradeCluster, UpgradePool:
		return "^"
	case ReplacePool:
		return "-/+"
	case DeleteCluster, DeletePool:
		return "-"
	case RotateNode:
		return "»"
	}
	return "?"
}

// plural counts n of word: "1 action", "2 actions", "0 actions".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// SummaryLine is the plan's last line: the counts, or that nothing changes.
func SummaryLine(p *Plan) string {
	s := p.Summary
	orphans := ""
	if s.Orphans > 0 {
		need := "need"
		if s.Orphans == 1 {
			need = "needs"
		}
		orphans = fmt.Sprintf(" %s of this repository %s a spec or the deletion rule.", plural(s.Orphans, "orphan cluster"), need)
	}
	if p.Empty() {
		if s.Deferred > 0 {
			return fmt.Sprintf("No changes to run now (%d deferred).", s.Deferred) + orphans
		}
		if orphans != "" {
			return "No changes to run." + orphans
		}
		return "No changes. Live state matches the specs."
	}
	return fmt.Sprintf("Plan: %d to create, %d to update, %d to upgrade, %d to replace, %d to delete, %d to rotate (%d deferred).",
		s.Create, s.Update, s.Upgrade, s.Replace, s.Delete, s.Rotate, s.Deferred) + orphans
}

// formatValue writes a change value compactly: JSON, with "(none)" for nil.
func formatValue(v any) string {
	if v == nil {
		return "(none)"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// actionHead is "<symbol> <type> <target> (<reason>[, disruptive])".
func actionHead(a Action) string {
	r := a.Reason
	if a.Disruptive {
		r += ", disruptive"
	}
	return fmt.Sprintf("%s %s %s (%s)", Symbol(a.Type), a.Type, a.Target, r)
}

// actionBody lists the changes and, for a replacement, its steps.
func actionBody(a Action) []string {
	var out []string
	for _, c := range a.Changes {
		out = append(out, fmt.Sprintf("%s: %s → %s", c.Path, formatValue(c.Before), formatValue(c.After)))
	}
	if a.Type == ReplacePool {
		out = append(out, replaceLines(a.Details)...)
	}
	return out
}

// clusterHead names a cluster with its region, project and id.
func clusterHead(c ClusterPlan) string {
	parts := []string{c.Region}
	if c.ProjectID != "" {
		parts = append(parts, "project "+c.ProjectID)
	}
	if c.ID != "" {
		parts = append(parts, "id "+c.ID)
	} else {
		parts = append(parts, "new")
	}
	return fmt.Sprintf("cluster %s (%s)", c.Name, strings.Join(parts, ", "))
}

// Text renders the plan for a terminal, terraform-like.
func Text(p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan for revision %s at %s\n", orDash(p.Revision), p.Now.Format("2006-01-02T15:04:05Z07:00"))
	for _, c := range p.Clusters {
		b.WriteString("\n" + clusterHead(c) + "\n")
		if len(c.Actions)+len(c.Deferred)+len(c.Warnings)+len(c.RotationCalendar) == 0 && c.Preflight == nil {
			b.WriteString("  no changes\n")
		}
		for _, a := range c.Actions {
			b.WriteString("  " + actionHead(a) + "\n")
			for _, l := range actionBody(a) {
				b.WriteString("      " + l + "\n")
			}
		}
		if len(c.Deferred) > 0 {
			b.WriteString("  deferred:\n")
			for _, d := range c.Deferred {
				fmt.Fprintf(&b, "    %s %s %s: %s", Symbol(d.Action.Type), d.Action.Type, d.Action.Target, d.Why)
				if d.Message != "" {
					b.WriteString(" — " + d.Message)
				}
				b.WriteString("\n")
				for _, l := range actionBody(d.Action) {
					b.WriteString("        " + l + "\n")
				}
			}
		}
		if len(c.Warnings) > 0 {
			b.WriteString("  warnings:\n")
			for _, wn := range c.Warnings {
				fmt.Fprintf(&b, "    ! %s: %s\n", wn.Code, wn.Message)
			}
		}
		if r := c.Rollout; r != nil {
			fmt.Fprintf(&b, "  rollout: wave %d%s\n", r.Wave, clusterRolloutNote(r))
		}
		if lines := preflightLines(c.Preflight, func(s string) string { return s }); len(lines) > 0 {
			b.WriteString("  pre-flight:\n")
			for _, l := range lines {
				b.WriteString("    " + l + "\n")
			}
		}
		if len(c.RotationCalendar) > 0 {
			b.WriteString("  rotation calendar:\n")
			for _, pc := range c.RotationCalendar {
				head, lines := calendarLines(pc, func(s string) string { return s })
				b.WriteString("    " + head + "\n")
				for _, l := range lines {
					b.WriteString("      " + l + "\n")
				}
			}
		}
	}
	if p.Rollout != nil {
		b.WriteString("\nRollout: " + rolloutLine(p.Rollout) + "\n")
		for _, l := range rolloutLines(p.Rollout) {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("\n" + SummaryLine(p) + "\n")
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
