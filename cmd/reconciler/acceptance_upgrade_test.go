package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// seedProd seeds an owned Kapsule cluster prod-par at version with pools named pools (each
// pro2_s ×1 in fr-par-1, at the cluster's version).
func seedProd(t *testing.T, srv *emulator.Server, version string, pools ...string) {
	t.Helper()
	var sp []emulator.SeedPool
	for _, p := range pools {
		sp = append(sp, emulator.SeedPool{Name: p, NodeType: "pro2_s", Zone: "fr-par-1", Size: 1, Version: version,
			UpgradePolicy: &emulator.UpgradePolicy{MaxUnavailable: 1}})
	}
	seedProdPar(t, srv, version, sp...)
}

func prodSpec(version string, pools ...string) map[string]string {
	s := prodSpecHead(version)
	for _, p := range pools {
		s += "    - {name: " + p + ", nodeType: PRO2-S, zone: fr-par-1, size: 1}\n"
	}
	return map[string]string{"clusters/prod-par.yaml": s}
}

func TestAcceptanceChainedUpgradeRunsHopByHop(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "batch", "web")
	repo := writeRepo(t, prodSpec("1.37", "batch", "web"))

	code, out, errOut := cli(t, "", args("plan", "--repo", repo, "-o", "json", "--detailed-exitcode")...)
	if code != 2 {
		t.Fatalf("plan exit %d, want 2 (changes)\n%s\n%s", code, out, errOut)
	}
	var p plan.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range p.Clusters[0].Actions {
		got = append(got, string(a.Type)+" "+a.Target+" "+a.Details["version"])
	}
	want := []string{
		"upgrade-cluster cluster/prod-par 1.36.5",
		"upgrade-pool pool/prod-par/batch 1.36.5",
		"upgrade-pool pool/prod-par/web 1.36.5",
		"upgrade-cluster cluster/prod-par 1.37.1",
		"upgrade-pool pool/prod-par/batch 1.37.1",
		"upgrade-pool pool/prod-par/web 1.37.1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("planned actions (-want +got):\n%s", diff)
	}

	if err := srv.ResetRequests(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cli(t, "", args("apply", "--repo", repo, "--auto-approve")...)
	if code != 0 {
		t.Fatalf("apply exit %d\n%s\n%s", code, out, errOut)
	}
	// the wire order: control plane, then its pools, per hop
	log, err := srv.Requests()
	if err != nil {
		t.Fatal(err)
	}
	snap := live(t)
	names := map[string]string{snap.Clusters[0].ID: "cluster"}
	for _, pl := range snap.Clusters[0].Pools {
		names[pl.ID] = pl.Name
	}
	upgrade := regexp.MustCompile(`/(clusters|pools)/([^/]+)/upgrade$`)
	var wire []string
	for _, r := range log.Requests {
		if m := upgrade.FindStringSubmatch(r.Path); r.Method == "POST" && m != nil && r.Status < 300 {
			wire = append(wire, names[m[2]])
		}
	}
	if diff := cmp.Diff([]string{"cluster", "batch", "web", "cluster", "batch", "web"}, wire); diff != "" {
		t.Errorf("upgrade requests on the wire (-want +got):\n%s", diff)
	}
	if c := snap.Clusters[0]; c.Version != "1.37.1" || c.Pools[0].Version != "1.37.1" || c.Pools[1].Version != "1.37.1" {
		t.Errorf("live versions: cluster %s, pools %s %s", c.Version, c.Pools[0].Version, c.Pools[1].Version)
	}
	if code, out, _ := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode")...); code != 0 {
		t.Errorf("plan after the upgrade: exit %d\n%s", code, out)
	}
}

// While 1.35 is supported (offered until its deprecation on 2027-01-19), asking for it on a 1.36
// cluster is a downgrade: refused.
func TestAcceptanceDowngradeIsRefused(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.36.5", "web")
	repo := writeRepo(t, prodSpec("1.35", "web"))
	const before = "2026-11-26T10:00:00Z"

	for _, cmd := range []string{"plan", "apply"} {
		code, out, errOut := cli(t, "", args(cmd, "--repo", repo, "--auto-approve", "--now", before)...)
		if cmd == "plan" {
			code, out, errOut = cli(t, "", args(cmd, "--repo", repo, "--detailed-exitcode", "--now", before)...)
		}
		if code != 1 || !strings.Contains(errOut, "cannot downgrade from 1.36.5 to 1.35") {
			t.Errorf("%s: exit %d, stderr %q, want 1 with a clear downgrade error (stdout %q)", cmd, code, errOut, out)
		}
	}
	if v := live(t).Clusters[0].Version; v != "1.36.5" {
		t.Errorf("live version = %s after a refused downgrade", v)
	}
}

// After 1.34's end of life, Scaleway force-upgrades its clusters: a 1.35 cluster whose spec still
// says 1.34 is a fact to report (spec-behind), never an error, and nothing is changed.
func TestAcceptanceForcedUpgradeIsSpecBehind(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.3", "web")
	repo := writeRepo(t, prodSpec("1.34", "web"))
	const after = "2026-12-01T10:00:00Z"

	code, out, errOut := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode", "--now", after)...)
	if code == 1 || !strings.Contains(out, "spec-behind") || !strings.Contains(out, "1.34 is no longer offered") {
		t.Fatalf("plan: exit %d, want 0 or 2 with a spec-behind warning\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", args("apply", "--repo", repo, "--auto-approve", "--now", after)...); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, errOut)
	}
	if v := live(t).Clusters[0].Version; v != "1.35.3" {
		t.Errorf("live version = %s, want 1.35.3 untouched", v)
	}
}

func TestAcceptancePoolRemovedWithoutPruneIsKeptAndWarned(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "old", "web")
	repo := writeRepo(t, prodSpec("1.35", "web"))

	code, out, errOut := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode")...)
	if code != 0 || !strings.Contains(out, "pool old") || !strings.Contains(out, "prune") {
		t.Fatalf("plan: exit %d, want 0 with a warning about pool old\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := cli(t, "", args("apply", "--repo", repo, "--auto-approve")...); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if c := live(t).Clusters[0]; len(c.Pools) != 2 {
		t.Errorf("pools after apply = %d, want both kept", len(c.Pools))
	}
}
