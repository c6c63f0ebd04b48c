package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func TestValidateExamplesOK(t *testing.T) {
	code, stdout, stderr := runCmd(t, "validate", "--repo", "../../examples")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if want := "OK: 4 clusters in 4 files under ../../examples/clusters\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if stderr != "" {
		t.Errorf("stderr = %q", stderr)
	}
}

// TestValidateEveryInvalidCase: exit 1 on each invalid repository, every error printed with
// file:line:column and path (the same text as the golden file), no stack trace.
func TestValidateEveryInvalidCase(t *testing.T) {
	dirs, _ := filepath.Glob("../../testdata/spec/invalid/*")
	n := 0
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "validate", "--repo", dir)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stdout=%q", code, stdout)
			}
			golden, err := os.ReadFile(dir + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Count(string(golden), "\n")
			want := string(golden) + "Error: " + fmtCount(lines) + " in " + dir + "\n"
			if stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace in output:\n%s", stderr)
			}
		})
	}
	if n < 10 {
		t.Fatalf("only %d invalid cases found", n)
	}
}

func fmtCount(n int) string {
	if n == 1 {
		return "1 error"
	}
	return strconv.Itoa(n) + " errors"
}

func TestValidatePositionFormat(t *testing.T) {
	code, _, stderr := runCmd(t, "validate", "--repo", "../../testdata/spec/invalid/min-greater-than-size")
	want := "clusters/c.yaml:18:36: spec.pools[0].autoscaling.min: must be <= size (3)\n"
	if code != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr %q, want prefix %q", code, stderr, want)
	}
}

func TestValidateShowDefaults(t *testing.T) {
	code, stdout, stderr := runCmd(t, "validate", "--repo", "../../examples", "--show-defaults")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	docs := strings.Split(stdout, "---\n")[1:]
	if len(docs) != 4 {
		t.Fatalf("%d documents, want 4:\n%s", len(docs), stdout)
	}
	// The output is itself a valid spec, with the defaults written out.
	var c spec.Cluster
	if err := sigsyaml.UnmarshalStrict([]byte(docs[0]), &c); err != nil {
		t.Fatalf("show-defaults output does not decode strictly: %v", err)
	}
	if c.Metadata.Name != "dev-par" || c.Spec.CNI != "cilium" || c.Spec.Region != "fr-par" ||
		c.Spec.Pools[0].Zone != "fr-par-1" || c.Spec.Pools[0].Rotation.MaxAge.String() != "720h" {
		t.Errorf("defaults not shown: %+v", c.Spec)
	}
	if !strings.HasPrefix(docs[0], "# clusters/dev-par.yaml:") {
		t.Errorf("source comment missing: %q", docs[0][:40])
	}
}

func TestValidateBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "--repo", "/nonexistent/dir"},
		{"validate", "--bogus"},
		{"validate", "extra"},
	} {
		code, stdout, stderr := runCmd(t, args...)
		if code != 1 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, code, stdout, stderr)
		}
	}
}

func TestSchemaCommand(t *testing.T) {
	code, stdout, _ := runCmd(t, "schema")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || v["title"] != "Cluster" {
		t.Errorf("schema: exit %d, title %v", code, v["title"])
	}
	code, stdout, _ = runCmd(t, "schema", "--settings")
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || v["title"] != "Settings" {
		t.Errorf("schema --settings: exit %d, title %v", code, v["title"])
	}
}

// A node type that cannot be an Instance name (PRO2-SS) gets an offline warning with the near
// spellings; validation still passes: only the live catalog, at plan time, refuses a type.
func TestValidateWarnsOnAnImplausibleNodeType(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "clusters"), 0o755); err != nil {
		t.Fatal(err)
	}
	doc := `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: typo}
spec:
  region: fr-par
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - {name: web, nodeType: PRO2-SS, size: 2}
    - {name: ok, nodeType: POP2-HC-8C-16G, size: 1}
`
	if err := os.WriteFile(filepath.Join(dir, "clusters", "typo.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "validate", "--repo", dir)
	if code != 0 || !strings.HasPrefix(stdout, "OK: 1 cluster") {
		t.Fatalf("exit %d stdout %q stderr %q, want OK", code, stdout, stderr)
	}
	want := `warning: clusters/typo.yaml:9:19: spec.pools[0].nodeType: cluster typo pool web: node type "PRO2-SS": "SS" is not an Instance size (XXS, XS, S, M, L, XL, XXL); did you mean PRO2-XS or PRO2-S? (plan checks node types against the zone's live catalog)` + "\n"
	if stderr != want {
		t.Errorf("stderr = %q\nwant %q", stderr, want)
	}
}

// schema --settings prints a schema that stands alone, as its example saves it (> settings.schema.json):
// it referred to cluster.schema.json#/$defs/Settings, which a validator or an editor resolves
// against its $id (https://reconciler.scaleway.dev/schemas/cluster.schema.json) and cannot fetch.
// Compiled with no other resource and no network, it validates examples/reconciler.yaml and
// refuses a typo there.
func TestSchemaSettingsStandsAlone(t *testing.T) {
	code, stdout, stderr := runCmd(t, "schema", "--settings")
	if code != 0 || stderr != "" {
		t.Fatalf("schema --settings: exit %d, stderr %q", code, stderr)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{}) // no file or network loader: nothing else to read
	if err := c.AddResource("settings.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("settings.schema.json")
	if err != nil {
		t.Fatalf("schema --settings does not compile alone: %v", err)
	}
	example, err := os.ReadFile("../../examples/reconciler.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"example": string(example), "typo": strings.Replace(string(example), "defaults:", "defaultz:", 1)} {
		j, err := sigsyaml.YAMLToJSON([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(j)))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); (err == nil) != (name == "example") {
			t.Errorf("%s: validation error %v", name, err)
		}
	}
}
