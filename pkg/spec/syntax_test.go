package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// A badly indented line is the line the syntax error names, at its first character, with what
// to do: go-yaml names the line before the enclosing block (pools: for an item's key, spec: for
// a field), often several lines above the mistake.
func TestSyntaxErrorPointsAtTheBadlyIndentedLine(t *testing.T) {
	const head = "# a comment first, so the document starts on line 2\napiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: a\nspec:\n"
	for _, tc := range []struct {
		name, body string
		line, col  int
		message    string
		hint       string
	}{
		{"item key dedented to the dash", "  version: \"1.35\"\n  pools:\n    - name: default\n      nodeType: DEV1-M\n    size: 1\n",
			11, 5, "did not find expected '-' indicator", "indentation"},
		{"item key dedented past the list", "  version: \"1.35\"\n  pools:\n    - name: default\n      nodeType: DEV1-M\n size: 1\n",
			11, 2, "did not find expected key", "indentation"},
		{"field indented deeper than its siblings", "   version: \"1.35\"\n  pools: []\n",
			8, 3, "did not find expected key", "indentation"},
		{"unclosed flow mapping", "  version: \"1.35\"\n  labels: {a: b\n  pools: []\n",
			8, 3, "did not find expected ',' or '}'", "close the"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, prefix := range []string{"", "---\napiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\nmetadata: {name: b}\nspec: {version: \"1.35\"}\n---\n"} {
				src := prefix + head + tc.body
				shift := strings.Count(prefix, "\n")
				_, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(src)}})
				var list ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("err %v, want an ErrorList", err)
				}
				var got *FieldError
				for i := range list {
					if strings.Contains(list[i].Message, "YAML syntax error") {
						got = &list[i]
					}
				}
				want := fmt.Sprintf("clusters/c.yaml:%d:%d: YAML syntax error: %s", tc.line+shift, tc.col, tc.message)
				if got == nil || !strings.HasPrefix(got.Error(), want) || !strings.Contains(got.Hint, tc.hint) {
					t.Errorf("%s\ngot  %v\nwant %s (hint: …%s…)", src, got, want, tc.hint)
				}
			}
		})
	}
}

// The search is bounded: a problem more than its line budget below the enclosing block keeps
// go-yaml's line (an untrusted repository cannot make the loader parse a document thousands of
// times), and a near one is still found.
func TestSyntaxErrorSearchIsBounded(t *testing.T) {
	const head = "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: a\nspec:\n  pools:\n"
	for _, items := range []int{10, 2000} {
		src := head + strings.Repeat("    - name: p\n", items) + "   size: 1\n"
		bad := 6 + items + 1
		_, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(src)}})
		var list ErrorList
		if !errors.As(err, &list) || len(list) != 1 || !strings.Contains(list[0].Message, "YAML syntax error") {
			t.Fatalf("%d items: %v, want one syntax error", items, err)
		}
		if found := list[0].Line == bad; found != (items == 10) {
			t.Errorf("%d items: syntax error at line %d; the bad line %d found: %v, want %v", items, list[0].Line, bad, found, items == 10)
		}
	}
}
