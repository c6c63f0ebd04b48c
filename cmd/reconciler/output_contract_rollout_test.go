package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// Real plans with the optional parts of plan.schema.json: the wave plan and each cluster's wave,
// the pre-flight result, and spec_behind. Each is made through the emulator and validated against
// the schema, and the test checks the part is really there (a schema test on a plan without it
// would prove nothing).

// planJSON runs `plan -o json` with extra flags, validates stdout against plan.schema.json and
// returns the document.
func planJSON(t *testing.T, repo string, extra ...string) map[string]any {
	t.Helper()
	sch := outputSchemas(t)["plan.schema.json"]
	code, out, errOut := cli(t, "", args(append([]string{"plan", "--repo", repo, "-o", "json", "--detailed-exitcode"}, extra...)...)...)
	if code == 1 {
		t.Fatalf("plan: exit 1\n%s\n%s", out, errOut)
	}
	doc := oneDocument(t, "plan", out)
	if err := sch.Validate(doc); err != nil {
		t.Errorf("plan does not match plan.schema.json: %v\n%s", err, out)
	}
	t.Logf("plan:\n%s", out)
	m, _ := doc.(map[string]any)
	return m
}

// clusterOf returns the plan of the named cluster.
func clusterOf(t *testing.T, p map[string]any, name string) map[string]any {
	t.Helper()
	cs, _ := p["clusters"].([]any)
	for _, c := range cs {
		if m, _ := c.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no cluster %s in the plan", name)
	return nil
}

// waveSpec is an owned cluster's spec at version in wave.
func waveSpec(name, version, wave string) string {
	return header + "metadata: {name: " + name + "}\nspec:\n  region: fr-par\n  version: \"" + version + "\"\n" +
		"  privateNetworkID: " + prodPN + "\n  rollout: {wave: " + wave + "}\n" +
		"  pools:\n    - {name: web, nodeType: PRO2-S, zone: fr-par-1, size: 1}\n"
}

// A fleet in two waves moving to 1.36, with the pre-flight on: wave 1 waits for wave 0
// (wave-pending), and the pre-flight reports the clusters it could not reach (the emulator's
// kubeconfigs point nowhere), whose minor hop then waits (removed-apis-unchecked: fail closed).
func TestPlanContractWithWavesAndPreflight(t *testing.T) {
	srv := startEmulator(t)
	var seeds []emulator.SeedCluster
	for _, name := range []string{"wave-a", "wave-b"} {
		seeds = append(seeds, emulator.SeedCluster{Name: name, Region: "fr-par", ProjectID: testProject, Version: "1.35.9",
			Cni: "cilium", Tags: []string{cloud.ManagedByTag, cloud.ProtectionTag(true)}, PrivateNetworkID: prodPN,
			Pools: []emulator.SeedPool{{Name: "web", NodeType: "pro2_s", Zone: "fr-par-1", Size: 1, Version: "1.35.9",
				UpgradePolicy: &emulator.UpgradePolicy{MaxUnavailable: 1}}}})
	}
	if _, err := srv.Seed(emulator.SeedRequest{Clusters: seeds}); err != nil {
		t.Fatal(err)
	}
	repo := writeRepo(t, map[string]string{
		"reconciler.yaml":      "rollout:\n  soak: 24h\npreflight: {enabled: true, timeout: 2s}\n",
		"clusters/wave-a.yaml": waveSpec("wave-a", "1.36", "0"),
		"clusters/wave-b.yaml": waveSpec("wave-b", "1.36", "1"),
	})

	p := planJSON(t, repo)
	ro, _ := p["rollout"].(map[string]any)
	if waves, _ := ro["waves"].([]any); ro["soak"] != "24h" || len(waves) != 2 {
		t.Errorf("plan rollout = %v, want soak 24h and two waves", ro)
	} else if w1, _ := waves[1].(map[string]any); w1["state"] != "pending" {
		t.Errorf("wave 1 = %v, want pending", w1)
	}
	a, b := clusterOf(t, p, "wave-a"), clusterOf(t, p, "wave-b")
	if r, _ := b["rollout"].(map[string]any); r == nil || !strings.Contains(fmt.Sprint(r["pending"]), "wave-a") {
		t.Errorf("wave-b rollout = %v, want pending on wave-a", b["rollout"])
	}
	whys := map[string]bool{}
	deferred, _ := b["deferred"].([]any)
	for _, d := range deferred {
		whys[d.(map[string]any)["why"].(string)] = true
	}
	if !whys["wave-pending"] {
		t.Errorf("wave-b deferred = %v, want wave-pending", deferred)
	}
	if pf, _ := a["preflight"].(map[string]any); pf == nil || pf["skipped"] == nil {
		t.Errorf("wave-a preflight = %v, want the unreachable cluster reported", a["preflight"])
	}
	if d, _ := a["deferred"].([]any); len(d) == 0 || d[0].(map[string]any)["why"] != "removed-apis-unchecked" {
		t.Errorf("wave-a deferred = %v, want its hop held as removed-apis-unchecked", a["deferred"])
	}
}

// A live version ahead of the spec is reported as spec_behind: a forced upgrade off 1.34 (past
// end of life on 2026-11-29: EOL on purpose) and a patch Scaleway applied.
func TestPlanContractWithSpecBehind(t *testing.T) {
	for _, tc := range []struct {
		name, live, spec, reason string
	}{
		{"forced upgrade", "1.35.9", "1.34", "forced-upgrade"},
		{"patch applied", "1.36.5", "1.36.1", "patch-applied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t)
			seedProd(t, srv, tc.live, "web")
			p := planJSON(t, writeRepo(t, prodSpec(tc.spec, "web")), "--now", "2026-12-03T10:00:00Z")
			sb, _ := clusterOf(t, p, "prod-par")["spec_behind"].(map[string]any)
			if sb == nil || sb["reason"] != tc.reason || sb["live"] != tc.live || sb["spec"] != tc.spec {
				t.Errorf("spec_behind = %v, want %s from %s to %s", sb, tc.reason, tc.spec, tc.live)
			}
		})
	}
}
