package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// rotateNow is a Sunday inside the window "0 3 * * SUN" (3h, Europe/Paris): 03:30 CET.
const rotateNow = "2026-11-29T02:30:00Z"

// seedRotation seeds prod-par with pool "default" (4 nodes aged 41d, 40d12h, 40d, 10d at
// rotateNow) and pool "batch" (1 node, 45d), and returns the repository: default rotates on
// Sundays with budget 1; batch has rotation disabled.
func seedRotation(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	now, _ := time.Parse(time.RFC3339, rotateNow)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	seedProdPar(t, srv, "1.35.9",
		emulator.SeedPool{Name: "default", NodeType: "pro2_s", Zone: "fr-par-1", Size: 4, Version: "1.35.9",
			UpgradePolicy: &emulator.UpgradePolicy{MaxUnavailable: 1, MaxSurge: 1},
			NodeCreatedAt: []time.Time{ago(41 * day), ago(40*day + 12*time.Hour), ago(40 * day), ago(10 * day)}},
		emulator.SeedPool{Name: "batch", NodeType: "pro2_s", Zone: "fr-par-1", Size: 1, Version: "1.35.9",
			UpgradePolicy: &emulator.UpgradePolicy{MaxUnavailable: 1}, NodeCreatedAt: []time.Time{ago(45 * day)}})
	return writeRepo(t, map[string]string{"clusters/prod-par.yaml": prodSpecHead("1.35") + `    - name: default
      nodeType: PRO2-S
      zone: fr-par-1
      size: 4
      rotation:
        window: {schedule: "0 3 * * SUN", duration: 3h, timeZone: Europe/Paris}
        budget: 1
    - name: batch
      nodeType: PRO2-S
      zone: fr-par-1
      size: 1
      rotation: {enabled: false}
`})
}

// scrubNodes replaces the emulator's random node names and IDs with <node:pool:i> (oldest first).
func scrubNodes(t *testing.T, s string) string {
	t.Helper()
	for _, c := range live(t).Clusters {
		for _, p := range c.Pools {
			nodes := slices.Clone(p.Nodes)
			oldestFirst(nodes)
			for i, n := range nodes {
				// same length as the name, so that the table columns stay aligned
				ph := "<node:" + p.Name + ":" + string(rune('1'+i))
				ph += strings.Repeat("_", max(0, len(n.Name)-len(ph)-1)) + ">"
				s = strings.ReplaceAll(s, n.Name, ph)
				s = strings.ReplaceAll(s, n.ID, ph)
			}
		}
	}
	return scrubIDs(t, s)
}

// TestRotateDryRunGolden: `rotate --dry-run --now T` lists the candidates (budget 1: the
// oldest node) and the reason for every node left alone, then the calendars; it changes nothing.
func TestRotateDryRunGolden(t *testing.T) {
	srv := startEmulator(t)
	repo := seedRotation(t, srv)
	code, out, errOut := cli(t, "", args("rotate", "--repo", repo, "--dry-run", "--now", rotateNow)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	out = scrubNodes(t, out)
	golden(t, "rotate-dry-run.txt.golden", out)
	for _, want := range []string{
		"ready   41d     ROTATE    node-past-deadline",
		"budget-exhausted", // the two other overdue nodes
		"too-young",        // the 10-day-old node
		"rotation-disabled",
		"1 node(s) to rotate now in 2 pool(s).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run misses %q", want)
		}
	}
	log, _ := srv.Requests()
	if countMutations(log) != 0 {
		t.Errorf("a dry run mutated the cloud: %d mutations", countMutations(log))
	}
}

// TestRotateOutsideWindowRotatesNothing: outside the window every due node is deferred
// (outside-window) and nothing is drained or replaced; inside it at most the budget is planned.
func TestRotateOutsideWindowRotatesNothing(t *testing.T) {
	srv := startEmulator(t)
	repo := seedRotation(t, srv)
	// Sunday 10:30 CET: the 03:00-06:00 window is closed.
	code, out, errOut := cli(t, "", args("rotate", "--repo", repo, "--now", "2026-11-29T09:30:00Z")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "No changes to run now (3 deferred).") || strings.Count(out, ": outside-window") != 3 {
		t.Errorf("outside the window every due node should be deferred outside-window:\n%s", out)
	}
	log, _ := srv.Requests()
	if countMutations(log) != 0 {
		t.Errorf("rotated outside the window: %d mutations", countMutations(log))
	}
	// Inside the window, plan shows at most the budget (1) to rotate.
	code, out, _ = cli(t, "", args("plan", "--repo", repo, "--now", rotateNow, "--detailed-exitcode")...)
	if code != 2 || strings.Count(out, "» rotate-node") != 1+2 || !strings.Contains(out, "1 to rotate (2 deferred)") {
		t.Errorf("inside the window: exit %d, want 1 rotation and 2 deferred:\n%s", code, out)
	}
}

// rotate -o markdown printed text: refused before any I/O (the repository is not even looked
// at), as the other commands refuse a format they do not print; -h lists only text and json.
func TestRotateRefusesMarkdownOutput(t *testing.T) {
	for _, args := range [][]string{{"-o", "markdown"}, {"-o", "md"}, {"--dry-run", "-o", "markdown"}} {
		code, stdout, stderr := runCmd(t, append([]string{"rotate", "--repo", filepath.Join(t.TempDir(), "missing")}, args...)...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, `-o: unknown output format "`+args[len(args)-1]+`": use text or json`) {
			t.Errorf("rotate %v: code %d, stdout %q, stderr %q; want 1 and the unknown output format error", args, code, stdout, stderr)
		}
	}
	if _, stdout, _ := runCmd(t, "rotate", "-h"); !strings.Contains(stdout, "output format: text or json") {
		t.Errorf("rotate -h does not say text or json:\n%s", stdout)
	}
}
