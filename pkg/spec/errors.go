package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// FieldError is one problem found in the user's repository: where it is (file, 1-based line and
// column, and the field path inside the document) and what is wrong, with an optional hint.
//
// Line and Column are 0 when the problem has no position (an unreadable file, or a Cluster built
// in code and validated with Validate). File is empty for the latter.
type FieldError struct {
	File    string
	Line    int
	Column  int
	Path    string // e.g. spec.pools[1].autoscaling.min; empty for file-level problems
	Message string
	Hint    string // optional: what to write instead
}

// Error renders the stable one-line form `file:line:column: path: message (hint: …)`.
func (e FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, max(e.Column, 1))
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Hint != "" {
		b.WriteString(" (hint: ")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// ErrorList holds every problem found, sorted by file, line, column, path and message. Load
// returns it as its error when it is not empty; use errors.As to get at the items.
type ErrorList []FieldError

// Error renders one error per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// compareErrors orders errors by position, then path and message.
func compareErrors(a, b FieldError) int {
	return cmp.Or(
		strings.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		strings.Compare(a.Path, b.Path),
		strings.Compare(a.Message, b.Message),
		strings.Compare(a.Hint, b.Hint),
	)
}

// normalize sorts the list and drops exact repeats (a default inherited from reconciler.yaml
// by several clusters is reported once).
func (l ErrorList) normalize() ErrorList {
	slices.SortFunc(l, compareErrors)
	return slices.Compact(l)
}

// issue is a validation problem before it is located in a file.
type issue struct {
	path, msg, hint string
}

// issues collects validation problems.
type issues []issue

func (is *issues) add(path, msg string) { *is = append(*is, issue{path: path, msg: msg}) }

func (is *issues) addf(path, format string, args ...any) {
	*is = append(*is, issue{path: path, msg: fmt.Sprintf(format, args...)})
}

func (is *issues) hint(path, msg, hint string) {
	*is = append(*is, issue{path: path, msg: msg, hint: hint})
}
