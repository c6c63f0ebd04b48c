package preview

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
)

// Marker is the hidden HTML comment that starts every preview comment; the
// forge client finds the previous comment by it.
const Marker = "<!-- reconciler-preview -->"

// maxListed bounds each list of the comparison in Text and Markdown.
const maxListed = 50

// Render renders p as text, json or markdown.
func Render(p *Preview, format string) ([]byte, error) {
	switch format {
	case plan.FormatMarkdown, "md", "":
		return []byte(Markdown(p, plan.MarkdownLimit)), nil
	case plan.FormatText:
		return []byte(Text(p)), nil
	case plan.FormatJSON:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p); err != nil {
			return nil, fmt.Errorf("encode preview: %w", err)
		}
		return b.Bytes(), nil
	}
	return nil, fmt.Errorf("unknown preview format %q: use markdown, text or json", format)
}

// StatusLine is the one-line verdict for a commit status.
func StatusLine(p *Preview) string {
	switch {
	case len(p.Errors) > 0:
		return fmt.Sprintf("%d spec %s in the head revision", len(p.Errors), plural(len(p.Errors), "error"))
	case p.Plan == nil:
		return "no plan"
	}
	return plan.SummaryLine(p.Plan)
}

// Text is the preview for a terminal.
func Text(p *Preview) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Preview of %s (%s) against %s (%s)\n", p.Head.Ref, revision.Short(p.Head.Revision), p.Base.Ref, revision.Short(p.Base.Revision))
	if len(p.Errors) > 0 {
		fmt.Fprintf(&b, "\nThe head revision does not load: %d spec %s.\n", len(p.Errors), plural(len(p.Errors), "error"))
		for _, e := range p.Errors {
			b.WriteString("  " + e + "\n")
		}
	}
	b.WriteString("\nCompared with base:\n")
	for _, l := range compareLines(p, func(s string) string { return s }) {
		b.WriteString("  " + l + "\n")
	}
	if lines := checkLines(p, func(s string) string { return s }); len(lines) > 0 {
		b.WriteString("\nPre-flight and rollout:\n")
		for _, l := range lines {
			b.WriteString("  " + l + "\n")
		}
	}
	if p.Plan != nil {
		b.WriteString("\n" + plan.Text(p.Plan))
	}
	return b.String()
}

// Markdown is the preview as a pull-request comment of at most limit
// characters: the marker, a verdict, the comparison with base, then the head
// plan (plan.MarkdownWithin the room left).
func Markdown(p *Preview, limit int) string {
	var b strings.Builder
	b.WriteString(Marker + "\n")
	b.WriteString("## Reconciler preview\n\n")
	fmt.Fprintf(&b, "Head %s (`%s`) against base %s (`%s`)\n\n", plan.MarkdownCode(p.Head.Ref), revision.Short(p.Head.Revision), plan.MarkdownCode(p.Base.Ref), revision.Short(p.Base.Revision))
	if len(p.Errors) > 0 {
		fmt.Fprintf(&b, "**❌ The head revision does not load: %d spec %s.** Nothing can be planned until %s fixed.\n\n",
			len(p.Errors), plural(len(p.Errors), "error"), map[bool]string{true: "it is", false: "they are"}[len(p.Errors) == 1])
		body := strings.Join(p.Errors, "\n") + "\n"
		f := plan.MarkdownFence(body)
		errs := f + "text\n" + body + f + "\n\n"
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(errs) > limit-200 {
			// keep whole lines that fit, inside the fence
			keep, n := []string{}, utf8.RuneCountInString(b.String())+2*len(f)+40
			for _, e := range p.Errors {
				if n+utf8.RuneCountInString(e)+1 > limit-200 {
					break
				}
				keep = append(keep, e)
				n += utf8.RuneCountInString(e) + 1
			}
			errs = f + "text\n" + strings.Join(keep, "\n") + "\n" + f + "\n\n" +
				fmt.Sprintf("> **Truncated:** %d more errors; run `reconciler validate`.\n\n", len(p.Errors)-len(keep))
		}
		b.WriteString(errs)
	}
	b.WriteString("### Compared with base\n\n")
	for _, l := range compareLines(p, plan.MarkdownCode) {
		b.WriteString("- " + l + "\n")
	}
	b.WriteString("\n")
	if lines := checkLines(p, plan.MarkdownCode); len(lines) > 0 {
		b.WriteString("### Pre-flight and rollout\n\n")
		for _, l := range lines {
			b.WriteString("- " + mdText(l) + "\n")
		}
		b.WriteString("\n")
	}
	if p.Plan != nil {
		room := limit - utf8.RuneCountInString(b.String())
		if room > 500 {
			b.WriteString(plan.MarkdownWithin(p.Plan, room))
		}
	}
	return b.String()
}

// compareLines is the comparison in short lines, each list capped at maxListed.
func compareLines(p *Preview, code func(string) string) []string {
	var out []string
	switch {
	case p.Compared != nil && p.Compared.Empty():
		out = append(out, "no change to the plan: base and head plan the same actions")
	case p.Compared != nil:
		out = append(out, fmt.Sprintf("this pull request adds %d %s and removes %d",
			len(p.Compared.Added), plural(len(p.Compared.Added), "action"), len(p.Compared.Removed)))
		out = append(out, refLines("+", p.Compared.Added, code)...)
		out = append(out, refLines("-", p.Compared.Removed, code)...)
	case len(p.Errors) > 0:
		out = append(out, "no comparison: the head revision does not load")
	case p.BaseError != "":
		out = append(out, "no comparison: "+p.BaseError)
	default:
		out = append(out, "no comparison: the head revision was not planned")
	}
	if len(p.Files) == 0 {
		out = append(out, "no file changed outside status/ and reports/")
	} else {
		names := make([]string, 0, min(len(p.Files), maxListed))
		for _, f := range p.Files[:min(len(p.Files), maxListed)] {
			names = append(names, code(f))
		}
		l := fmt.Sprintf("%d %s changed: %s", len(p.Files), plural(len(p.Files), "file"), strings.Join(names, ", "))
		if len(p.Files) > maxListed {
			l += fmt.Sprintf(" and %d more", len(p.Files)-maxListed)
		}
		out = append(out, l)
	}
	return out
}

func refLines(sign string, refs []ActionRef, code func(string) string) []string {
	var out []string
	for i, r := range refs {
		if i == maxListed {
			out = append(out, fmt.Sprintf("%s … and %d more", sign, len(refs)-maxListed))
			break
		}
		out = append(out, fmt.Sprintf("%s %s %s (%s)", sign, code(string(r.Type)), code(r.Target), code(r.ID)))
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
