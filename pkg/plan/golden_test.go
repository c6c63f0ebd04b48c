package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/plan")

// goldenOwner is the repository identity of the golden cases (input.json "owner" overrides it).
const goldenOwner = "golden-repo"

// caseInput is the optional input.json of a golden case.
type caseInput struct {
	Revision    string             `json:"revision"`
	Owner       *string            `json:"owner"`
	Prune       bool               `json:"prune"`
	LastApplied map[string]Applied `json:"last_applied"`
	Rollout     *struct {
		Soak   string   `json:"soak"`
		HaltOn []string `json:"halt_on"`
	} `json:"rollout"`
	Health    map[string]Health     `json:"health"`
	Preflight map[string]*Preflight `json:"preflight"`
	// Elsewhere names the clusters of desired.yaml another replica plans, with their facts.
	Elsewhere *struct {
		Clusters   []string                 `json:"clusters"`
		Facts      map[string]RecordedFacts `json:"facts"`
		SpecDigest string                   `json:"spec_digest"`
		MaxAge     string                   `json:"max_age"`
	} `json:"elsewhere"`
}

// loadCase reads testdata/plan/<name>: desired.yaml (multi-document), live.json (snapshots; a
// snapshot without Versions gets testdata/plan/catalog.json), now.txt, input.json (optional).
func loadCase(t testing.TB, dir string) Input {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	in := Input{Revision: "0123abc", Owner: goldenOwner}
	in.Desired = decodeSpecs(t, read("desired.yaml"))
	if err := json.Unmarshal(read("live.json"), &in.Snapshots); err != nil {
		t.Fatalf("live.json: %v", err)
	}
	var cat []cloud.Version
	b, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	for _, s := range in.Snapshots {
		if s.Versions == nil {
			s.Versions = cat
		}
	}
	now, err := time.Parse(time.RFC3339, strings.TrimSpace(string(read("now.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	in.Now = now
	if b, err := os.ReadFile(filepath.Join(dir, "input.json")); err == nil {
		var ci caseInput
		if err := json.Unmarshal(b, &ci); err != nil {
			t.Fatalf("input.json: %v", err)
		}
		in.Prune, in.LastApplied = ci.Prune, ci.LastApplied
		in.Health, in.Preflight = ci.Health, ci.Preflight
		if r := ci.Rollout; r != nil {
			soak, err := time.ParseDuration(r.Soak)
			if err != nil {
				t.Fatalf("input.json rollout.soak: %v", err)
			}
			in.Rollout = Rollout{Soak: soak, HaltOn: r.HaltOn}
		}
		if ci.Owner != nil {
			in.Owner = *ci.Owner
		}
		if e := ci.Elsewhere; e != nil {
			maxAge, err := time.ParseDuration(e.MaxAge)
			if err != nil {
				t.Fatalf("input.json elsewhere.max_age: %v", err)
			}
			in.Elsewhere = &Elsewhere{Facts: e.Facts, SpecDigest: e.SpecDigest, MaxAge: maxAge}
			in.Desired = slices.DeleteFunc(in.Desired, func(c *spec.Cluster) bool {
				if slices.Contains(e.Clusters, c.Metadata.Name) {
					in.Elsewhere.Clusters = append(in.Elsewhere.Clusters, c)
					return true
				}
				return false
			})
		}
		if ci.Revision != "" {
			in.Revision = ci.Revision
		}
	}
	return in
}

// decodeSpecs decodes YAML documents strictly; it stands in for spec.Load until that lands.
func decodeSpecs(t testing.TB, b []byte) []*spec.Cluster {
	t.Helper()
	var out []*spec.Cluster
	line := 1 // of the document's first line, for Source as spec.Load sets it
	for _, doc := range strings.Split(string(b), "\n---\n") {
		start := line
		line += strings.Count(doc, "\n") + 2
		if strings.TrimSpace(doc) == "" {
			continue
		}
		c := &spec.Cluster{Source: spec.Source{File: "desired.yaml", Line: start}}
		if err := yaml.UnmarshalStrict([]byte(doc), c); err != nil {
			t.Fatalf("desired.yaml: %v", err)
		}
		out = append(out, c)
	}
	return out
}

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/plan/*/desired.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range dirs {
		dir := filepath.Dir(f)
		name := filepath.Base(dir)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			in := loadCase(t, dir)
			p, err := Compute(in)
			if err != nil {
				golden(t, filepath.Join(dir, "error.txt"), []byte(err.Error()+"\n"))
			} else {
				js, jerr := JSON(p)
				if jerr != nil {
					t.Fatal(jerr)
				}
				golden(t, filepath.Join(dir, "plan.json"), js)
				golden(t, filepath.Join(dir, "plan.txt"), []byte(Text(p)))
				golden(t, filepath.Join(dir, "plan.md"), []byte(Markdown(p)))
			}
			check, ok := checks[name]
			if !ok {
				t.Fatalf("case %s has no behaviour check in checks", name)
			}
			check(t, p, err)
		})
	}
	for name := range checks {
		if !seen[name] {
			t.Errorf("check %s has no testdata case", name)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/plan -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./pkg/plan -update and review the diff)\n--- got:\n%s", path, got)
	}
}
