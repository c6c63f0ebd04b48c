package spec

import (
	"encoding"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"
)

// The loader decodes values from the go-yaml v3 nodes it also takes positions from. These tests
// hold that decoder to the one it replaced, sigs.k8s.io/yaml.UnmarshalStrict on the document's
// text: whatever the walker accepts without falling back must decode to exactly the same value
// (nil and empty told apart), and sigs.k8s.io/yaml must accept it too.

// Decode paths of one document.
const (
	pathFast     = "fast"     // decoded from the nodes
	pathFallback = "fallback" // handed to sigs.k8s.io/yaml (an explicit tag, a value it refuses)
	pathRefused  = "refused"  // a structural error
)

// diffDecode walks document c as decodeDoc does (without the kind checks, which sigs.k8s.io/yaml
// does not make) and, on the fast path, compares the value with sigs.k8s.io/yaml's.
func diffDecode[T any](t testing.TB, c chunk) string {
	t.Helper()
	w := newWalker("c.yaml", c)
	got := new(T)
	w.walk(deref(c.root), reflect.ValueOf(got).Elem(), "")
	switch {
	case len(w.errs) > 0:
		return pathRefused
	case w.fallback:
		return pathFallback
	}
	want := new(T)
	if err := safeCall(func() error { return sigsyaml.UnmarshalStrict(c.data, want) }); err != nil {
		t.Fatalf("sigs.k8s.io/yaml refuses a document the node decoder accepts: %v\n%s", err, c.data)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("node decoder differs from sigs.k8s.io/yaml (-sigs +nodes):\n%s\n%s", diff, c.data)
	}
	return pathFast
}

// TestDecodeMatchesSigsYAML decodes every document of the corpus both ways. The examples and the
// valid repositories must all take the fast path.
func TestDecodeMatchesSigsYAML(t *testing.T) {
	count := map[string]int{}
	for _, p := range corpus(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chunks(data) {
			var path string
			if filepath.Base(p) == SettingsFile {
				path = diffDecode[Settings](t, c)
			} else {
				path = diffDecode[Cluster](t, c)
			}
			count[path]++
			wantFast := strings.HasPrefix(p, "../../examples") || strings.Contains(p, "/valid/")
			if wantFast && path != pathFast {
				t.Errorf("%s:%d: decoded on the %s path, want fast", p, c.line, path)
			}
		}
	}
	t.Logf("documents by path: %v", count)
	if count[pathFast] < 100 {
		t.Errorf("only %d documents on the fast path", count[pathFast])
	}
}

// clusterDoc wraps a flow mapping as the spec of a cluster document.
func clusterDoc(spec string) string {
	return "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\nmetadata: {name: c}\nspec: " + spec + "\n"
}

// pool wraps flow-mapping fields of a pool in a spec.
func pool(fields string) string {
	return clusterDoc(`{version: "1.35", pools: [{name: p, nodeType: x, ` + fields + `}]}`)
}

// coercionCases are the scalars where YAML 1.1 (go-yaml v2, under sigs.k8s.io/yaml), YAML 1.2
// (go-yaml v3) and encoding/json may disagree, with the path each must take. Fast cases are
// compared with sigs.k8s.io/yaml by diffDecode.
var coercionCases = []struct {
	name, doc, path string
}{
	// Strings: a scalar read as something else than its text is refused.
	{"quoted version", clusterDoc(`{version: "1.30"}`), pathFast},
	{"float version", clusterDoc(`{version: 1.30}`), pathRefused},
	{"float that reads back", clusterDoc(`{version: 1.3}`), pathFast},
	{"hex string", clusterDoc(`{description: 0x1F}`), pathRefused},
	{"octal string", clusterDoc(`{description: 017}`), pathRefused},
	{"underscored string", clusterDoc(`{description: 1_000}`), pathRefused},
	{"minus zero string", clusterDoc(`{description: -0}`), pathRefused},
	{"int string", clusterDoc(`{description: 12}`), pathFast},
	{"uint64 string", clusterDoc(`{description: 12345678901234567890}`), pathFast},
	{"float overflow string", clusterDoc(`{description: 1e400}`), pathFast},
	{"exponent string", clusterDoc(`{description: 1e3}`), pathRefused},
	{"leading dot string", clusterDoc(`{description: .5}`), pathRefused},
	{"decimal string", clusterDoc(`{description: 0.1}`), pathFast},
	{"timestamp string", clusterDoc(`{description: 2001-12-14}`), pathFast},
	{"yes string", clusterDoc(`{description: yes}`), pathRefused},
	{"quoted yes string", clusterDoc(`{description: "yes"}`), pathFast},
	{"true string", clusterDoc(`{description: true}`), pathFast},
	{"inf string", clusterDoc(`{description: .inf}`), pathRefused},
	{"null string", clusterDoc(`{description: ~}`), pathFast},
	{"empty string", clusterDoc(`{description: ""}`), pathFast},
	{"block string", clusterDoc("\n  description: |\n    a\n    b\n  version: \"1.35\""), pathFast},
	{"unicode string", clusterDoc(`{description: "héllo ünïcode", tags: [é, ß]}`), pathFast},
	{"str tag", clusterDoc(`{description: !!str abc}`), pathFallback},
	{"str tag on a float", clusterDoc(`{description: !!str 1.30}`), pathRefused},
	{"binary tag", clusterDoc(`{description: !!binary aGk=}`), pathFallback},
	{"non-specific tag", clusterDoc(`{description: ! abc}`), pathFallback},
	{"non-specific tag after an anchor", clusterDoc(`{description: &a ! abc}`), pathFallback},
	{"non-specific tag on a quoted string", clusterDoc(`{description: ! "abc"}`), pathFast},
	{"exclamation mark in text", clusterDoc(`{description: "hi!", tags: [a!b]} # yes!`), pathFast},
	{"tagged key", clusterDoc(`{!!str version: "1.35"}`), pathFallback},
	{"tagged mapping", "--- !!map\n" + clusterDoc(`{}`), pathFallback},
	{"case of a field", clusterDoc(`{Version: "1.35"}`), pathRefused},

	// Booleans: YAML 1.1 words are booleans, as sigs.k8s.io/yaml reads them.
	{"yes", clusterDoc(`{adopt: yes}`), pathFast},
	{"off", clusterDoc(`{adopt: off, prune: On}`), pathFast},
	{"y", clusterDoc(`{adopt: y, prune: N}`), pathFast},
	{"quoted true", clusterDoc(`{adopt: "true"}`), pathRefused},
	{"one as bool", clusterDoc(`{adopt: 1}`), pathRefused},
	{"non-specific tag on a bool", clusterDoc(`{adopt: ! true}`), pathFallback},
	{"bool pointer null", clusterDoc(`{deletionProtection: ~}`), pathFast},

	// Integers: any YAML 1.1 integer or integral float within range.
	{"int", pool(`size: 3`), pathFast},
	{"integral float", pool(`size: 3.0`), pathFast},
	{"exponent int", pool(`size: 1e1`), pathFast},
	{"hex int", pool(`size: 0x10`), pathFast},
	{"octal int", pool(`size: 017`), pathFast},
	{"0o int", pool(`size: 0o17`), pathFast},
	{"binary int", pool(`size: 0b11`), pathFast},
	{"underscored int", pool(`size: 1_0`), pathFast},
	{"plus int", pool(`size: +3`), pathFast},
	{"minus zero int", pool(`size: -0`), pathFast},
	{"minus zero float int", pool(`size: -0.0`), pathFast},
	{"2^53+1", pool(`size: 9007199254740993`), pathFast},
	{"quoted int", pool(`size: "3"`), pathRefused},
	{"fraction", pool(`size: 3.5`), pathRefused},
	{"null int", pool(`size: ~`), pathFast},
	{"non-specific tag on an int", pool(`size: ! 3`), pathFallback},
	{"int tag", pool(`size: !!int 3`), pathFallback},
	{"int32 max", clusterDoc(`{autoscaler: {expendablePodsPriorityCutoff: 2147483647, logLevel: -2147483648}}`), pathFast},
	{"int32 overflow", clusterDoc(`{autoscaler: {expendablePodsPriorityCutoff: 2147483648}}`), pathRefused},
	{"uint32 max", clusterDoc(`{autoscaler: {maxGracefulTerminationSec: 4294967295}}`), pathFast},
	{"uint32 overflow", clusterDoc(`{autoscaler: {maxGracefulTerminationSec: 4294967296}}`), pathRefused},
	{"uint32 negative", clusterDoc(`{autoscaler: {maxGracefulTerminationSec: -1}}`), pathRefused},
	{"uint32 minus zero", clusterDoc(`{autoscaler: {maxGracefulTerminationSec: -0}}`), pathFast},
	{"uint32 minus zero float", clusterDoc(`{autoscaler: {maxGracefulTerminationSec: -0.0}}`), pathFallback},

	// Floats: encoding/json rounds the JSON text to 32 bits.
	{"float32", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: 0.1}}`), pathFast},
	{"float32 leading dot", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: .5}}`), pathFast},
	{"float32 int", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: 16777217}}`), pathFast},
	{"float32 hex", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: 0x10}}`), pathFast},
	{"float32 tiny", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: 1e-50}}`), pathFast},
	{"float32 overflow", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: 1e39}}`), pathFallback},
	{"float32 dot underscore", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: .1_0}}`), pathFast},
	{"float32 string", clusterDoc(`{autoscaler: {scaleDownUtilizationThreshold: "0.5"}}`), pathRefused},

	// Durations and budgets go through their UnmarshalJSON.
	{"duration", pool(`rotation: {maxAge: 720h, drainTimeout: "30m", deadline: 1h30m}`), pathFast},
	{"duration without unit", pool(`rotation: {maxAge: 720}`), pathRefused},
	{"quoted duration without unit", pool(`rotation: {maxAge: "720"}`), pathRefused},
	{"null duration pointer", pool(`rotation: {maxAge: ~}`), pathFast},
	{"null window duration", clusterDoc(`{upgrade: {window: {schedule: "0 2 * * *", duration: ~}}}`), pathFallback},
	{"tagged duration", clusterDoc(`{upgrade: {window: {schedule: "0 2 * * *", duration: ! 4h}}}`), pathFallback},
	{"budget", pool(`rotation: {budget: 1}`), pathFast},
	{"quoted budget", pool(`rotation: {budget: "1"}`), pathFast},
	{"percent budget", pool(`rotation: {budget: 10%}`), pathFast},
	{"quoted percent budget", pool(`rotation: {budget: "10%"}`), pathFast},
	{"hex budget", pool(`rotation: {budget: 0x1}`), pathFast},
	{"octal budget", pool(`rotation: {budget: 010}`), pathFast},
	{"float budget", pool(`rotation: {budget: 1.0}`), pathRefused},
	{"null budget", pool(`rotation: {budget: ~}`), pathFast},
	{"tagged budget", pool(`rotation: {budget: ! 1}`), pathFallback},

	// Maps: keys become JSON object keys.
	{"labels", pool(`labels: {a: b, c: ~}`), pathFast},
	{"int key", pool(`labels: {1: x}`), pathFast},
	{"quoted int key", pool(`labels: {"1": x}`), pathFast},
	{"octal key", pool(`labels: {01: x}`), pathRefused},
	{"true key", pool(`labels: {true: x}`), pathFast},
	{"yes key", pool(`labels: {yes: x}`), pathRefused},
	{"quoted empty key", pool(`labels: {"": x}`), pathFast},
	{"null key", pool(`labels: {? : x}`), pathFallback},
	{"uint64 key", pool(`labels: {18446744073709551615: x}`), pathFallback},
	{"empty map", pool(`labels: {}, kubeletArgs: ~`), pathFast},
	{"int value in a map", pool(`labels: {a: 1}`), pathFast},

	// Lists: [] is empty, not nil; a null item is the zero value.
	{"empty list", clusterDoc(`{tags: [], featureGates: ~}`), pathFast},
	{"null item", clusterDoc(`{tags: [a, ~], pools: [~]}`), pathFast},
	{"empty structs", clusterDoc(`{autoscaler: {}, openIDConnect: {}}`), pathFast},

	// Anchors and merge keys.
	{"alias", clusterDoc(`{description: &d text, version: *d}`), pathFast},
	{"merge", clusterDoc(`{pools: [{name: a, nodeType: x, taints: [&t {key: k, effect: NoSchedule}]}, {name: b, nodeType: x, taints: [{<<: *t, value: v}]}]}`), pathFast},
	{"merge of a list in place", clusterDoc(`{pools: [{name: a, nodeType: &n x}, {name: b, nodeType: *n, rootVolume: {<<: [&r {type: l_ssd}, {sizeGB: 20}]}}]}`), pathFast},
	{"merge of an aliased list", clusterDoc(`{pools: [{name: a, nodeType: x, taints: &t [{key: k, effect: NoSchedule}]}, {name: b, nodeType: x, taints: [{<<: *t}]}]}`), pathFallback},

	// Where positions must be found in the text to see a "!" tag.
	{"crlf tag", strings.ReplaceAll(pool("size: ! 3"), "\n", "\r\n"), pathFallback},
	{"crlf bang in a comment", strings.ReplaceAll(pool("size: 3")+"# hi!\n", "\n", "\r\n"), pathFast},
	{"tag after wide characters", clusterDoc(`{description: "ééé", tags: [ß, ! 1]}`), pathFallback},
	{"tag on a later line", clusterDoc("\n  version: \"1.35\"\n  adopt: !\n    true"), pathFallback},
	{"lone carriage return", clusterDoc(`{description: a}`) + "#!\r", pathFallback},
}

func TestDecodeCoercions(t *testing.T) {
	for _, tc := range coercionCases {
		t.Run(tc.name, func(t *testing.T) {
			cs := chunks([]byte(tc.doc))
			if len(cs) != 1 {
				t.Fatalf("%d documents", len(cs))
			}
			if got := diffDecode[Cluster](t, cs[0]); got != tc.path {
				t.Errorf("path = %s, want %s", got, tc.path)
			}
		})
	}
}

// TestLoadFallbackErrors: values that pass the structural checks but that sigs.k8s.io/yaml
// refuses are still reported as it words them.
func TestLoadFallbackErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{`{upgrade: {window: {schedule: "0 2 * * *", duration: ~}}}`,
			`clusters/c.yaml:1:1: cannot decode: invalid duration "": use a number with a unit (s, m, h), e.g. "720h"`},
		{`{autoscaler: {maxGracefulTerminationSec: -0.0}}`,
			`clusters/c.yaml:1:1: cannot decode: json: cannot unmarshal number -0 into Go struct field Autoscaler.spec.autoscaler.maxGracefulTerminationSec of type uint32`},
		{`{adopt: ! true}`,
			`clusters/c.yaml:1:1: cannot decode: json: cannot unmarshal string into Go struct field ClusterSpec.spec.adopt of type bool`},
	} {
		_, err := Load(fstestRepo(clusterDoc(tc.spec)))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Load(%s) = %v, want %s", tc.spec, err, tc.want)
		}
	}
}

// TestFallbackDecodesAsSigsYAML: a tagged document still loads, with sigs.k8s.io/yaml's values.
func TestFallbackDecodesAsSigsYAML(t *testing.T) {
	doc := strings.Replace(minimalKosmos, "spec:\n", "spec:\n  description: !!binary aGk=\n", 1)
	repo, err := Load(fstestRepo(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := repo.Clusters[0].Spec.Description; got != "hi" {
		t.Errorf("description = %q, want the decoded !!binary %q", got, "hi")
	}
}

// TestDecodeSeesNoTextUnmarshaler: encoding/json would hand a string to a TextUnmarshaler, which
// the node decoder does not model; no spec type may be one (the json.Unmarshaler types are
// decoded through UnmarshalJSON).
func TestDecodeSeesNoTextUnmarshaler(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var visit func(reflect.Type)
	visit = func(t0 reflect.Type) {
		for t0.Kind() == reflect.Pointer || t0.Kind() == reflect.Slice || t0.Kind() == reflect.Map {
			t0 = t0.Elem()
		}
		if seen[t0] {
			return
		}
		seen[t0] = true
		if reflect.PointerTo(t0).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
			t.Errorf("%s implements encoding.TextUnmarshaler", t0)
		}
		if t0.Kind() != reflect.Struct || t0 == durationType || t0 == quantityType {
			return
		}
		for _, f := range jsonFields(t0) {
			sf := t0.Field(f.index)
			if _, opts, _ := strings.Cut(sf.Tag.Get("json"), ","); opts != "" && opts != "omitempty" {
				t.Errorf("%s.%s: json option %q is not modelled", t0, sf.Name, opts)
			}
			visit(sf.Type)
		}
	}
	visit(reflect.TypeFor[Cluster]())
	visit(reflect.TypeFor[Settings]())
	if len(seen) < 15 {
		t.Errorf("visited only %d types", len(seen))
	}
}

// FuzzDecode: on any input, a document the node decoder accepts without falling back decodes as
// with sigs.k8s.io/yaml, as a Cluster and as Settings.
//
//	go test ./pkg/spec -run '^$' -fuzz FuzzDecode -fuzztime 60s
func FuzzDecode(f *testing.F) {
	for _, p := range corpus(f) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, tc := range coercionCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range chunks(data) {
			diffDecode[Cluster](t, c)
			diffDecode[Settings](t, c)
		}
	})
}

// fstestRepo is a repository of one cluster file.
func fstestRepo(doc string) fs.FS {
	return fstest.MapFS{"clusters/c.yaml": {Data: []byte(doc)}}
}
