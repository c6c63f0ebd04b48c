package forge

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// containsMarker reports whether body holds marker (the hidden HTML comment
// naming a preview).
func containsMarker(body, marker string) bool { return strings.Contains(body, marker) }

// Truncate returns body when it has at most limit characters; else its longest
// prefix of whole lines that fits with the closing of every open code fence
// and <details> block and a notice, so the Markdown still renders.
func Truncate(body string, limit int) string {
	if utf8.RuneCountInString(body) <= limit {
		return body
	}
	notice := fmt.Sprintf("\n> **Truncated** to %d characters.\n", limit)
	lines := strings.SplitAfter(body, "\n")
	var out strings.Builder
	n := 0
	var fence string // the open code fence, "" when none
	details := 0
	closing := func() string {
		s := ""
		if fence != "" {
			s += fence + "\n"
		}
		s += strings.Repeat("</details>\n", details)
		return s
	}
	for _, l := range lines {
		nextFence, nextDetails := fence, details
		t := strings.TrimSpace(l)
		if f := fenceOf(t); f != "" {
			switch {
			case fence == "":
				nextFence = f
			case strings.HasPrefix(f, fence) && t == f:
				nextFence = ""
			}
		} else if fence == "" {
			nextDetails += strings.Count(t, "<details") - strings.Count(t, "</details>")
			nextDetails = max(nextDetails, 0)
		}
		saveFence, saveDetails := fence, details
		fence, details = nextFence, nextDetails
		tail := closing() + notice
		if n+utf8.RuneCountInString(l)+utf8.RuneCountInString(tail) > limit {
			fence, details = saveFence, saveDetails
			break
		}
		out.WriteString(l)
		n += utf8.RuneCountInString(l)
	}
	s := out.String()
	if !strings.HasSuffix(s, "\n") && s != "" {
		s += "\n"
	}
	return s + closing() + notice
}

// fenceOf returns the backtick or tilde run opening line t ("```diff" ->
// "```"), or "".
func fenceOf(t string) string {
	for _, c := range []string{"`", "~"} {
		i := 0
		for strings.HasPrefix(t[i:], c) {
			i++
		}
		if i >= 3 {
			return t[:i]
		}
	}
	return ""
}
