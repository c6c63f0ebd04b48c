package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/schemas/schematest"
)

// The schema is checked by an independent draft 2020-12 implementation
// (santhosh-tekuri/jsonschema, test-only): a validator of our own would share our blind spots.

const (
	clusterURL  = "https://reconciler.scaleway.dev/schemas/cluster.schema.json"
	settingsURL = "https://reconciler.scaleway.dev/schemas/settings.schema.json"
)

func compile(t *testing.T) (cluster, settings *jsonschema.Schema) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	for url, doc := range map[string][]byte{clusterURL: Cluster, settingsURL: Settings} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if err := c.AddResource(url, v); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
	}
	var err error
	if cluster, err = c.Compile(clusterURL); err != nil {
		t.Fatalf("compile cluster schema: %v", err)
	}
	if settings, err = c.Compile(settingsURL); err != nil {
		t.Fatalf("compile settings schema: %v", err)
	}
	return cluster, settings
}

// TestSchemaMatchesGoTypes walks cluster.schema.json next to the Go types of pkg/spec, in both
// directions (schematest). The spec is input: omitempty says nothing of what a user must write,
// so required is not compared.
func TestSchemaMatchesGoTypes(t *testing.T) {
	w, err := schematest.New(map[string][]byte{"cluster.schema.json": Cluster})
	if err != nil {
		t.Fatal(err)
	}
	w.Strings = []reflect.Type{reflect.TypeFor[spec.Duration]()}
	w.Custom = map[reflect.Type]func(testing.TB, string, map[string]any){
		reflect.TypeFor[spec.IntOrPercent](): func(t testing.TB, path string, s map[string]any) {
			if _, ok := s["oneOf"]; !ok {
				t.Errorf("%s: IntOrPercent should be a oneOf integer/string", path)
			}
		},
	}
	w.Compare(t, "Cluster", reflect.TypeFor[spec.Cluster](), "cluster.schema.json", "")
	w.Compare(t, "Settings", reflect.TypeFor[spec.Settings](), "cluster.schema.json", "#/$defs/Settings")
}

// documents returns each YAML document of a file as a JSON value (sigs.k8s.io/yaml conversion).
func documents(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(n.Content) == 0 || n.Content[0].ShortTag() == "!!null" {
			continue
		}
		doc, err := yaml.Marshal(&n)
		if err != nil {
			t.Fatal(err)
		}
		j, err := sigsyaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
}

// specFiles lists the YAML files of a repository: reconciler.yaml and clusters/**.
func specFiles(t *testing.T, repo string) (settings string, clusters []string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(repo, "reconciler.yaml")); err == nil {
		settings = filepath.Join(repo, "reconciler.yaml")
	}
	err := filepath.WalkDir(filepath.Join(repo, "clusters"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			clusters = append(clusters, p)
		}
		return nil
	})
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && settings != "") { // a repo may have retired its last cluster
		t.Fatal(err)
	}
	return settings, clusters
}

// TestValidReposPassSchemaAndLoader: every file of examples/ and of the valid test repos passes
// both the schema and spec.Load.
func TestValidReposPassSchemaAndLoader(t *testing.T) {
	clusterSchema, settingsSchema := compile(t)
	repos := []string{"../examples"}
	valid, _ := filepath.Glob("../testdata/spec/valid/*")
	repos = append(repos, valid...)
	for _, repo := range repos {
		t.Run(filepath.Base(repo), func(t *testing.T) {
			if _, err := spec.Load(os.DirFS(repo)); err != nil {
				t.Errorf("spec.Load: %v", err)
			}
			settings, clusters := specFiles(t, repo)
			if settings != "" {
				for _, d := range documents(t, settings) {
					if err := settingsSchema.Validate(d); err != nil {
						t.Errorf("%s: %v", settings, err)
					}
				}
			}
			for _, f := range clusters {
				for _, d := range documents(t, f) {
					if err := clusterSchema.Validate(d); err != nil {
						t.Errorf("%s: %v", f, err)
					}
				}
			}
		})
	}
}

// TestSchemaRejectsInvalidCases: the schema is not vacuous; it catches the invalid cases that a
// schema can express.
func TestSchemaRejectsInvalidCases(t *testing.T) {
	clusterSchema, _ := compile(t)
	for _, name := range []string{
		"unknown-field", "type-unknown", "region-unknown", "on-drain-timeout-unknown", "taints-invalid",
		"budget-invalid-string", "uuid-invalid", "version-malformed", "wrong-kind", "api-version",
		"maintenance-window", "root-volume-type", "drift-unknown", "name-invalid", "duration-malformed",
	} {
		t.Run(name, func(t *testing.T) {
			_, files := specFiles(t, filepath.Join("../testdata/spec/invalid", name))
			rejected := false
			for _, f := range files {
				for _, d := range documents(t, f) {
					rejected = rejected || clusterSchema.Validate(d) != nil
				}
			}
			if !rejected {
				t.Errorf("schema accepts invalid case %s", name)
			}
		})
	}
}

func TestEmbeddedSchemasAreJSON(t *testing.T) {
	for name, b := range map[string][]byte{"cluster": Cluster, "settings": Settings} {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema = %v", name, v["$schema"])
		}
	}
	if !slices.Equal(Cluster, mustRead(t, "cluster.schema.json")) {
		t.Error("embedded schema differs from the file")
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The settings schema refuses a sub-second preflight.timeout as validation does (at least 1s).
func TestSchemaPreflightTimeoutAtLeastOneSecond(t *testing.T) {
	_, settingsSchema := compile(t)
	for timeout, want := range map[string]bool{
		"1ms": false, "999ms": false, "0.5s": false, "500000us": false,
		"1s": true, "10s": true, "1.5s": true, "1m30s": true, "0.5m": true, "5m": true, "1s500ms": true,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"preflight":{"enabled":true,"timeout":"` + timeout + `"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := settingsSchema.Validate(v) == nil; got != want {
			t.Errorf("timeout %q: schema accepts = %v, want %v", timeout, got, want)
		}
	}
}
