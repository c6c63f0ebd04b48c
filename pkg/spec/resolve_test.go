package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	yaml2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"
)

// goYAMLv2Resolve is how the loader used to learn what sigs.k8s.io/yaml makes of a plain scalar:
// go-yaml v2 decodes a one-line document holding it. resolvePlain replaces that second parse.
// (It took "" for a string: "" is null, and sigsString reads both as an unchanged "".)
func goYAMLv2Resolve(s string) any {
	if strings.ContainsAny(s, "\n:#") || s != "" && !strings.ContainsAny(s[:1], "0123456789+-.yYnNtTfFoO~") {
		return s
	}
	var out map[string]any
	if err := safeCall(func() error { return yaml2.Unmarshal([]byte("v: "+s), &out) }); err != nil {
		return s
	}
	return out["v"]
}

// same compares resolved values by type and printed value (NaN included).
func same(a, b any) bool { return fmt.Sprintf("%T %#v", a, a) == fmt.Sprintf("%T %#v", b, b) }

var resolveCases = []string{
	// booleans, YAML 1.1 and 1.2
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
	"true", "True", "TRUE", "false", "False", "FALSE", "tRUE", "yEs", "o", "t", "f",
	// nulls and specials
	"~", "null", "Null", "NULL", "nULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", "+.inf", "-.INF", ".infinity", "inf", "NaN",
	// integers
	"0", "-0", "+0", "00", "017", "018", "0o17", "0O17", "0x1F", "0X1f", "0b101", "-0b101", "0b2", "+0b1", "0x", "0b",
	"1_000", "_1", "1__0", "-1_0", "0x_1F", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
	"-9223372036854775809", "18446744073709551615", "18446744073709551616", "0b1111111111111111111111111111111111111111111111111111111111111111",
	"-0b1000000000000000000000000000000000000000000000000000000000000000",
	// floats
	"1.", "1.0", ".5", "-.5", "+.5", "1e3", "1E3", "1e+3", "1e-3", "1.5e3", "1e", "e3", "1.2.3", "1e400", "-1e400", ".5e3",
	".1_0", "1_0.5", "1.5_0", "0x1p-2", "0.1", "3.14159265358979323846", "1e-400", "+1", "-1", "+", "-", ".", "..", "+-1",
	// timestamps and other look-alikes
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "1:30", "12:30:45", "1,000", "1 000",
	"20%", "10%", "v1.35", "1.35", "1.30", "1.35.3", "4h", "720h", "1h30m",
	// strings
	"a", "kapsule", "fr-par", "PRO2-XS", "<<", "=", "-a", "+a", "~a", ".a", "o1", "0a", "1a",
}

// TestResolvePlainMatchesGoYAMLv2 compares resolvePlain with go-yaml v2 on tricky scalars and on
// every plain scalar of the corpus.
func TestResolvePlainMatchesGoYAMLv2(t *testing.T) {
	inputs := append([]string(nil), resolveCases...)
	for _, p := range corpus(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chunks(data) {
			inputs = appendPlainScalars(inputs, c.root)
		}
	}
	for _, s := range inputs {
		if got, want := resolvePlain(s), goYAMLv2Resolve(s); !same(got, want) {
			t.Errorf("resolvePlain(%q) = %T %#v, go-yaml v2 reads %T %#v", s, got, got, want, want)
		}
	}
	if len(inputs) < 1000 {
		t.Errorf("only %d scalars", len(inputs))
	}
}

func appendPlainScalars(out []string, n *yaml.Node) []string {
	if n == nil {
		return out
	}
	if n.Kind == yaml.ScalarNode && plain(n) {
		out = append(out, n.Value)
	}
	for _, c := range n.Content {
		out = appendPlainScalars(out, c)
	}
	return out
}

// FuzzResolvePlain: for any text that go-yaml v3 reads as one plain scalar, resolvePlain agrees
// with go-yaml v2.
//
//	go test ./pkg/spec -run '^$' -fuzz FuzzResolvePlain -fuzztime 60s
func FuzzResolvePlain(f *testing.F) {
	for _, s := range resolveCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var doc yaml.Node
		if err := safeCall(func() error { return yaml.Unmarshal([]byte("v: "+s), &doc) }); err != nil {
			return
		}
		if len(doc.Content) != 1 || len(doc.Content[0].Content) != 2 {
			return
		}
		n := doc.Content[0].Content[1]
		if n.Kind != yaml.ScalarNode || !plain(n) || n.Style&yaml.TaggedStyle != 0 || n.Value != s {
			return
		}
		if got, want := resolvePlain(s), goYAMLv2Resolve(s); !same(got, want) {
			t.Errorf("resolvePlain(%q) = %T %#v, go-yaml v2 reads %T %#v", s, got, got, want, want)
		}
	})
}
