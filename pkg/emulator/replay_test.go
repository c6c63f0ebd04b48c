package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// The replay test runs every recorded request sequence (go-vcr cassettes of the Terraform provider and
// the scw CLI, real API traffic) against the emulator, with ids remapped, and checks that each
// response has the recorded status code and every recorded JSON key, with the same JSON type.

type cassette struct {
	Interactions []struct {
		Request struct {
			URL    string `json:"url"`
			Method string `json:"method"`
			Body   string `json:"body"`
		} `json:"request"`
		Response struct {
			Body    string              `json:"body"`
			Code    int                 `json:"code"`
			Headers map[string][]string `json:"headers"`
		} `json:"response"`
	} `json:"interactions"`
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// servedPrefixes are the API families the emulator implements; other recorded calls (VPCs, security
// groups, placement groups, public gateways, instance servers) belong to other products.
var servedPrefixes = []*regexp.Regexp{
	regexp.MustCompile(`^/k8s/v1/`),
	regexp.MustCompile(`^/metadata$`),
	regexp.MustCompile(`^/vpc/v2/regions/[^/]+/private-networks(/[^/]+)?$`),
	regexp.MustCompile(`^/ipam/v1/regions/[^/]+/ips$`),
	regexp.MustCompile(`^/instance/v1/zones/[^/]+/products/servers$`),
}

// dynamicMaps are objects whose keys are data, not schema: only their type is compared.
var dynamicMaps = map[string]bool{"labels": true, "kubelet_args": true, "available_kubelet_args": true,
	"conditions": true, "servers": true, "additional_components": true}

type replayStats struct {
	sent, collapsed int
	skipped         map[string]int
	mismatches      []string
}

func TestReplayCassettes(t *testing.T) {
	files, err := filepath.Glob("testdata/cassettes/*/*.cassette.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cassettes: %v", err)
	}
	total := replayStats{skipped: map[string]int{}}
	empty := 0
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), ".cassette.yaml")
		st, n := replayOne(t, f)
		if n == 0 {
			empty++
			continue
		}
		total.sent += st.sent
		total.collapsed += st.collapsed
		for k, v := range st.skipped {
			total.skipped[k] += v
		}
		for _, m := range st.mismatches {
			total.mismatches = append(total.mismatches, name+": "+m)
		}
	}
	t.Logf("replayed %d cassettes (%d empty): %d requests sent, %d repeated polls collapsed", len(files)-empty, empty, total.sent, total.collapsed)
	keys := make([]string, 0, len(total.skipped))
	for k := range total.skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("skipped %4d × %s", total.skipped[k], k)
	}
	for _, m := range total.mismatches {
		t.Error(m)
	}
}

func replayOne(t *testing.T, file string) (replayStats, int) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var c cassette
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	st := replayStats{skipped: map[string]int{}}
	if len(c.Interactions) == 0 {
		return st, 0
	}
	// versions the recording created clusters with were creatable at the time: list them
	catalog := emulator.DefaultCatalog()
	for _, it := range c.Interactions {
		if it.Request.Method == "POST" && strings.HasSuffix(pathOf(it.Request.URL), "/clusters") {
			var body struct {
				Version string `json:"version"`
			}
			_ = json.Unmarshal([]byte(it.Request.Body), &body)
			for i := range catalog {
				if catalog[i].Name == body.Version {
					catalog[i].Listed = true
				}
			}
		}
	}
	// the emulator's clock is the recording's (response Date headers; the catalog is evaluated at
	// the recorded dates), with the demo dwell times, which are shorter than the real ones: the
	// emulator is never "behind" the recording
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, it := range c.Interactions {
		if d := it.Response.Headers["Date"]; len(d) == 1 {
			if at, err := http.ParseTime(d[0]); err == nil {
				start = at.UTC()
				break
			}
		}
	}
	clk := clocktesting.NewFakeClock(start)
	// (except a configuration PATCH, which the recordings show settling within the same second)
	dwell := emulator.DemoDwell
	dwell.ClusterUpdate = 0
	env := emulatortest.Start(t, emulator.Options{Catalog: catalog, Clock: clk, Dwell: dwell, CheckPrivateNetworks: true})
	var last time.Time
	ids := map[string]string{} // recorded id → emulator id
	remap := func(s string) string {
		return uuidRE.ReplaceAllStringFunc(s, func(id string) string {
			if m, ok := ids[id]; ok {
				return m
			}
			return id
		})
	}
	its := c.Interactions
	for i, it := range its {
		u, err := url.Parse(it.Request.URL)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !served(u.Path) {
			st.skipped["not an emulated product: "+it.Request.Method+" "+templateOf(u.Path)]++
			continue
		}
		if d := it.Response.Headers["Date"]; len(d) == 1 {
			if at, err := http.ParseTime(d[0]); err == nil {
				if !last.IsZero() && at.After(last) {
					clk.Step(at.Sub(last))
				}
				if at.After(last) {
					last = at
				}
			}
		}
		// collapse a run of identical polls into its last request
		if it.Request.Method == "GET" && i+1 < len(its) && its[i+1].Request.Method == "GET" && its[i+1].Request.URL == it.Request.URL {
			st.collapsed++
			continue
		}
		req, err := http.NewRequest(it.Request.Method, env.URL+remap(u.RequestURI()), bytes.NewReader([]byte(remap(it.Request.Body))))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Auth-Token", emulatortest.SecretKey)
		if it.Request.Body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		st.sent++
		where := fmt.Sprintf("#%d %s %s", i, it.Request.Method, templateOf(u.Path))
		if res.StatusCode != it.Response.Code {
			st.mismatches = append(st.mismatches, fmt.Sprintf("%s: status %d, recorded %d (%s)", where, res.StatusCode, it.Response.Code, truncate(string(body))))
			continue
		}
		if strings.TrimSpace(it.Response.Body) == "" {
			continue
		}
		var want, got any
		if err := json.Unmarshal([]byte(it.Response.Body), &want); err != nil {
			continue // recorded body is not JSON
		}
		if err := json.Unmarshal(body, &got); err != nil {
			st.mismatches = append(st.mismatches, fmt.Sprintf("%s: response is not JSON: %s", where, truncate(string(body))))
			continue
		}
		learnIDs(want, got, ids)
		for _, m := range compareShape("", want, got) {
			st.mismatches = append(st.mismatches, where+": "+m)
		}
	}
	return st, len(its)
}

func served(p string) bool {
	for _, re := range servedPrefixes {
		if re.MatchString(p) {
			return true
		}
	}
	return false
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

func templateOf(p string) string { return uuidRE.ReplaceAllString(p, "{id}") }

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// learnIDs pairs recorded and emulator ids found at the same place in both responses.
func learnIDs(want, got any, ids map[string]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return
		}
		for k, wv := range w {
			gv := g[k]
			ws, wok := wv.(string)
			gs, gok := gv.(string)
			if wok && gok && (k == "id" || strings.HasSuffix(k, "_id")) && uuidRE.MatchString(ws) && uuidRE.MatchString(gs) {
				if _, known := ids[ws]; !known {
					ids[ws] = gs
				}
				continue
			}
			learnIDs(wv, gv, ids)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return
		}
		for i := range w {
			if i < len(g) {
				learnIDs(w[i], g[i], ids)
			}
		}
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// compareShape reports recorded keys missing from got or with another JSON type.
func compareShape(path string, want, got any) []string {
	if jsonType(want) != jsonType(got) {
		return []string{fmt.Sprintf("%s: type %s, recorded %s", orRoot(path), jsonType(got), jsonType(want))}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			if dynamicMaps[k] {
				if jsonType(gv) != jsonType(w[k]) {
					out = append(out, fmt.Sprintf("%s.%s: type %s, recorded %s", path, k, jsonType(gv), jsonType(w[k])))
				}
				continue
			}
			out = append(out, compareShape(path+"."+k, w[k], gv)...)
		}
	case []any:
		g := got.([]any)
		if len(w) > 0 && len(g) > 0 {
			out = append(out, compareShape(path+"[0]", w[0], g[0])...)
		}
	}
	return out
}

func orRoot(p string) string {
	if p == "" {
		return "."
	}
	return p
}
