package lifecycle

import (
	"strings"
	"testing"
)

const twoDocs = `# fleet of two
apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: a}
spec:
  region: fr-par   # Paris
  version: "1.35"  # keep quoted
  pools: []
---
apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata:
  name: b
spec:
  version: 1.35.9 # plain, exact
  region: nl-ams
`

func TestSetVersionChangesOnlyTheScalar(t *testing.T) {
	got, err := SetVersion([]byte(twoDocs), 2, "1.36")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(twoDocs, `version: "1.35"  # keep quoted`, `version: "1.36"  # keep quoted`, 1)
	if string(got) != want {
		t.Errorf("first document:\n%s\nwant:\n%s", got, want)
	}
	got, err = SetVersion([]byte(twoDocs), 10, "1.36.5")
	if err != nil {
		t.Fatal(err)
	}
	want = strings.Replace(twoDocs, "version: 1.35.9 # plain", "version: 1.36.5 # plain", 1)
	if string(got) != want {
		t.Errorf("second document:\n%s\nwant:\n%s", got, want)
	}
}

func TestSetVersionStyles(t *testing.T) {
	for in, want := range map[string]string{
		"a: 1\nspec:\n  version: '1.34'\n":                   "a: 1\nspec:\n  version: '1.35'\n",
		"a: 1\nspec: {pools: [], version: \"1.34\", x: 1}\n": "a: 1\nspec: {pools: [], version: \"1.35\", x: 1}\n",
		"a: 1\nspec: {version: 1.34}\n":                      "a: 1\nspec: {version: 1.35}\n",
		"a: 1\r\nspec:\r\n  version: \"1.34\"\r\n":           "a: 1\r\nspec:\r\n  version: \"1.35\"\r\n",
	} {
		got, err := SetVersion([]byte(in), 1, "1.35")
		if err != nil || string(got) != want {
			t.Errorf("SetVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"a: 1\nspec:\n  region: fr-par\n": "no spec.version",
		"a: 1\n":                          "no spec mapping",
		"a: [\n":                          "parse",
	} {
		if _, err := SetVersion([]byte(in), 1, "1.35"); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("SetVersion(%q): err = %v, want %q", in, err, msg)
		}
	}
	if _, err := SetVersion([]byte(twoDocs), 3, "1.35"); err == nil {
		t.Error("a line where no document starts was accepted")
	}
}
