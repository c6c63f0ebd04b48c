package plan

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MarkdownLimit is the largest comment a forge accepts (GitHub: 65,536 characters).
const MarkdownLimit = 65536

// Markdown renders the plan for a pull-request comment: the summary line, a table with one row
// per cluster, then per cluster a collapsible section with its actions (a diff block), deferred
// actions and warnings. Output longer than MarkdownLimit characters keeps the head and the table
// and as many whole cluster sections as fit, then a notice; fences stay balanced because only
// whole sections are dropped.
func Markdown(p *Plan) string {
	return markdown(p, MarkdownLimit)
}

// MarkdownWithin is Markdown cut to at most limit characters (a caller that
// adds its own text around the plan, such as a pull-request preview, passes
// what is left of the forge's limit).
func MarkdownWithin(p *Plan, limit int) string {
	return markdown(p, limit)
}

func markdown(p *Plan, limit int) string {
	var head strings.Builder
	head.WriteString("### Reconciler plan\n\n")
	fmt.Fprintf(&head, "**%s**\n\nRevision `%s` · planned at %s\n\n", SummaryLine(p), orDash(p.Revision), p.Now.Format("2006-01-02T15:04:05Z07:00"))
	if p.Rollout != nil {
		head.WriteString("**Rollout:** " + mdEscapeText(rolloutLine(p.Rollout)) + "\n\n")
		for _, l := range rolloutLines(p.Rollout) {
			head.WriteString("- " + mdEscapeText(l) + "\n")
		}
		if len(rolloutLines(p.Rollout)) > 0 {
			head.WriteString("\n")
		}
	}
	rows := []string{"| Cluster | Region | Create | Update | Upgrade | Replace | Delete | Rotate | Deferred | Warnings |\n",
		"|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n"}
	for _, c := range p.Clusters {
		s := summarize([]ClusterPlan{c})
		rows = append(rows, fmt.Sprintf("| `%s` | %s | %d | %d | %d | %d | %d | %d | %d | %d |\n",
			mdEscape(c.Name), mdEscape(c.Region), s.Create, s.Update, s.Upgrade, s.Replace, s.Delete, s.Rotate, s.Deferred, len(c.Warnings)))
	}
	var sections []string
	for _, c := range p.Clusters {
		sections = append(sections, mdCluster(c))
	}
	notice := func(n int, what string) string {
		if n == 1 { // "1 table row and every cluster section", "1 cluster section"
			what = strings.Replace(strings.Replace(what, "table rows", "table row", 1), "cluster sections", "cluster section", 1)
		}
		return fmt.Sprintf("\n> **Truncated:** %d %s not shown to stay within %d characters; run `reconciler plan -o json` for the whole plan.\n", n, what, limit)
	}
	out := head.String()
	count := func(s string) int { return utf8.RuneCountInString(s) }
	// Table rows, leaving room for a notice.
	room := limit - count(out) - count(notice(len(rows), "table rows and every cluster section")) - 1
	table := ""
	for i, r := range rows {
		if count(table)+count(r) > room {
			out += table + notice(len(rows)-i, "table rows and every cluster section")
			return out
		}
		table += r
	}
	out += table + "\n"
	for i, s := range sections {
		rest := len(sections) - i
		reserve := 0
		if rest > 1 {
			reserve = count(notice(rest-1, "cluster sections"))
		}
		if count(out)+count(s)+reserve > limit {
			return out + notice(rest, "cluster sections")
		}
		out += s
	}
	return out
}

// mdCluster is one cluster's collapsible section.
func mdCluster(c ClusterPlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><b>%s</b> (%s): %s, %d deferred, %s</summary>\n\n",
		mdEscape(c.Name), mdEscape(c.Region), plural(len(c.Actions), "action"), len(c.Deferred), plural(len(c.Warnings), "warning"))
	fmt.Fprintf(&b, "%s\n\n", mdEscape(clusterHead(c)))
	if len(c.Actions) > 0 {
		var body strings.Builder
		for _, a := range c.Actions {
			body.WriteString(actionHead(a) + "\n")
			for _, l := range actionBody(a) {
				body.WriteString("    " + l + "\n")
			}
		}
		fence := MarkdownFence(body.String())
		b.WriteString(fence + "diff\n" + body.String() + fence + "\n\n")
	} else {
		b.WriteString("No actions.\n\n")
	}
	if len(c.Deferred) > 0 {
		b.WriteString("**Deferred**\n\n")
		for _, d := range c.Deferred {
			fmt.Fprintf(&b, "- `%s` %s: **%s**", d.Action.Type, mdEscape(d.Action.Target), d.Why)
			if d.Message != "" {
				b.WriteString(" — " + mdEscape(d.Message))
			}
			b.WriteString("\n")
			for _, l := range actionBody(d.Action) {
				b.WriteString("  - " + mdCode(l) + "\n")
			}
		}
		b.WriteString("\n")
	}
	if len(c.Warnings) > 0 {
		b.WriteString("**Warnings**\n\n")
		for _, w := range c.Warnings {
			fmt.Fprintf(&b, "- ⚠️ `%s`: %s\n", w.Code, mdEscape(w.Message))
		}
		b.WriteString("\n")
	}
	if r := c.Rollout; r != nil {
		b.WriteString("**Rollout:** wave " + fmt.Sprint(r.Wave) + mdEscapeText(clusterRolloutNote(r)) + "\n\n")
	}
	if lines := preflightLines(c.Preflight, MarkdownCode); len(lines) > 0 {
		b.WriteString("**Pre-flight**\n\n")
		for _, l := range lines {
			b.WriteString("- " + mdEscapeText(l) + "\n")
		}
		b.WriteString("\n")
	}
	if len(c.RotationCalendar) > 0 {
		b.WriteString("**Rotation calendar**\n\n")
		for _, pc := range c.RotationCalendar {
			head, lines := calendarLines(pc, MarkdownCode)
			b.WriteString("- " + mdEscapeText(head) + "\n")
			for _, l := range lines {
				b.WriteString("  - " + mdEscapeText(l) + "\n")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// MarkdownFence returns a backtick fence longer than any backtick run in body.
func MarkdownFence(body string) string {
	longest, run := 0, 0
	for _, r := range body {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// mdCode writes s as inline code, with a delimiter longer than any backtick run in s.
func mdCode(s string) string {
	f := strings.TrimSuffix(MarkdownFence(s), "``")
	if strings.Contains(s, f) {
		f = MarkdownFence(s)
	}
	return f + " " + strings.ReplaceAll(s, "\n", " ") + " " + f
}

// mdEscape neutralises the characters that would break a table cell or inject HTML.
func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

// mdEscapeText neutralises HTML in running text (code spans are left as they are: names carry
// no angle brackets).
func mdEscapeText(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

// MarkdownCode writes a name as inline code: `name`, or mdCode's padded form when it holds backticks.
func MarkdownCode(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return mdCode(s)
}
