package main

import (
	"strings"
	"testing"
)

func TestAcceptanceFromEmptyThreeClustersConverge(t *testing.T) {
	startEmulator(t)
	repo := writeRepo(t, threeClusters)

	code, out, errOut := cli(t, "", args("apply", "--repo", repo, "--auto-approve")...)
	if code != 0 {
		t.Fatalf("apply exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	snap := live(t)
	assertNoDuplicates(t, snap)
	if len(snap.Clusters) != 3 {
		t.Fatalf("live clusters = %d, want 3", len(snap.Clusters))
	}
	for _, c := range snap.Clusters {
		if c.Status != "ready" {
			t.Errorf("cluster %s is %s, want ready", c.Name, c.Status)
		}
		for _, p := range c.Pools {
			if p.Status != "ready" {
				t.Errorf("pool %s/%s is %s, want ready", c.Name, p.Name, p.Status)
			}
		}
	}

	t.Logf("apply stdout:\n%s\nstderr:\n%s", out, errOut)
	code, out, errOut = cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode")...)
	if code != 0 {
		t.Fatalf("plan after apply: exit %d, want 0 (no changes)\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "No changes") {
		t.Errorf("plan output does not say no changes:\n%s", out)
	}
}
