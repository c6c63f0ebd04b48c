package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/scaleway-gitops/reconciler/schemas"
)

// The output contract: every -o json is exactly one document on stdout, with a format_version,
// valid against its documented schema (schemas/*.schema.json, checked by an independent draft
// 2020-12 implementation); the outputs are real ones, produced through the emulator.

const schemaBase = "https://reconciler.scaleway.dev/schemas/"

// outputSchemas compiles the output schemas, by file name.
func outputSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	docs := map[string][]byte{"plan.schema.json": schemas.Plan, "apply.schema.json": schemas.Apply,
		"rotate.schema.json": schemas.Rotate, "validate.schema.json": schemas.Validate, "version.schema.json": schemas.Version,
		"preview.schema.json": schemas.Preview}
	for name, doc := range docs {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(schemaBase+name, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for name := range docs {
		s, err := c.Compile(schemaBase + name)
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// oneDocument decodes stdout as exactly one JSON document, or fails.
func oneDocument(t *testing.T, what, stdout string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: stdout is not JSON: %v\n%s", what, err, stdout)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("%s: stdout holds more than one JSON document (next: %v, err %v):\n%s", what, extra, err, stdout)
	}
	// jsonschema wants its own number representation: round-trip through its decoder
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestJSONOutputsMatchTheirSchemas(t *testing.T) {
	sch := outputSchemas(t)
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	repo := writeRepo(t, prodSpec("1.35", "web", "extra"))
	invalid := writeRepo(t, map[string]string{"clusters/bad.yaml": header + "metadata: {name: bad}\nspec: {version: \"1.35\", colour: blue}\n"})

	check := func(schema, what string, wantCode int, a ...string) map[string]any {
		t.Helper()
		code, out, errOut := cli(t, "", a...)
		if code != wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s", what, code, wantCode, errOut)
		}
		doc := oneDocument(t, what, out)
		if err := sch[schema].Validate(doc); err != nil {
			t.Errorf("%s: output does not match %s: %v\n%s", what, schema, err, out)
		}
		m, _ := doc.(map[string]any)
		if m["format_version"] != "1" {
			t.Errorf("%s: format_version %v, want \"1\"", what, m["format_version"])
		}
		return m
	}

	m := check("plan.schema.json", "plan", 2, args("plan", "--repo", repo, "-o", "json", "--detailed-exitcode")...)
	// the schemas have teeth: a plan without its summary, or with an unknown action type, fails
	delete(m, "summary")
	if sch["plan.schema.json"].Validate(m) == nil {
		t.Error("plan.schema.json accepts a plan without summary")
	}
	// without --auto-approve the plan and the question go to stderr; a refusal is a document too
	m = check("apply.schema.json", "apply refused", 1, args("apply", "--repo", repo, "-o", "json")...)
	if m["applied"] != false || m["result"] != nil {
		t.Errorf("apply refused: applied %v result %v", m["applied"], m["result"])
	}
	m = check("apply.schema.json", "apply", 0, args("apply", "--repo", repo, "-o", "json", "--auto-approve")...)
	if m["applied"] != true || m["result"] == nil {
		t.Errorf("apply: applied %v result %v, want the result", m["applied"], m["result"])
	}
	m = check("apply.schema.json", "apply, nothing to do", 0, args("apply", "--repo", repo, "-o", "json", "--auto-approve")...)
	if m["applied"] != false {
		t.Errorf("apply with an empty plan: applied %v", m["applied"])
	}
	m = check("rotate.schema.json", "rotate", 0, args("rotate", "--repo", repo, "-o", "json")...)
	if m["command"] != "rotate" {
		t.Errorf("rotate: command %v", m["command"])
	}
	m = check("rotate.schema.json", "rotate --dry-run", 0, args("rotate", "--repo", repo, "-o", "json", "--dry-run")...)
	if pools, _ := m["pools"].([]any); len(pools) != 2 {
		t.Errorf("rotate --dry-run: %d pools, want web and extra", len(pools))
	}
	check("validate.schema.json", "validate", 0, "validate", "--repo", repo, "-o", "json")
	m = check("validate.schema.json", "validate, invalid", 1, "validate", "--repo", invalid, "-o", "json")
	if errs, _ := m["errors"].([]any); m["valid"] != false || len(errs) == 0 {
		t.Errorf("validate invalid: valid %v, %d errors", m["valid"], len(errs))
	}
	check("version.schema.json", "version", 0, "version", "-o", "json")
}

// --detailed-exitcode: 0 in sync, 1 an error, 2 differences, deferred ones included (a CI drift
// gate must not pass while every change waits for its window).
func TestDetailedExitCodeTable(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	// Thursday 2026-11-26: the Saturday upgrade window is closed, so 1.36 is deferred
	deferredOnly := map[string]string{"clusters/prod-par.yaml": strings.Replace(prodSpec("1.36", "web")["clusters/prod-par.yaml"],
		"  pools:\n", "  upgrade:\n    window: {schedule: \"0 2 * * SAT\", duration: 4h, timeZone: Europe/Paris}\n  pools:\n", 1)}
	for _, tc := range []struct {
		name string
		repo map[string]string
		want int
	}{
		{"in sync", prodSpec("1.35", "web"), 0},
		{"changes", prodSpec("1.35", "web", "extra"), 2},
		{"only deferred", deferredOnly, 2},
		{"error", map[string]string{"clusters/bad.yaml": header + "metadata: {name: bad}\nspec: {colour: blue}\n"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := writeRepo(t, tc.repo)
			code, out, errOut := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode", "--now", fixedNow, "-o", "json")...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.want, out, errOut)
			}
			if tc.name == "only deferred" {
				var p struct {
					Summary struct{ Deferred, Upgrade int }
				}
				if err := json.Unmarshal([]byte(out), &p); err != nil || p.Summary.Deferred == 0 || p.Summary.Upgrade != 0 {
					t.Errorf("want a plan with only a deferred upgrade: %+v %v\n%s", p.Summary, err, out)
				}
			}
		})
	}
}
