package main

import (
	"strings"
	"testing"
)

// apply and rotate with --now judge windows, budgets and node ages at that time but act now: an
// upgrade whose window opens on Saturday runs on Thursday. They say so on stderr, every time.
func TestApplyAndRotateWithNowWarnTheyActNow(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	repo := writeRepo(t, prodSpec("1.35", "web"))
	for _, a := range [][]string{
		{"apply", "--repo", repo, "--auto-approve", "--now", "2026-12-05T03:00:00+01:00"},
		{"rotate", "--repo", repo, "--now", "2026-12-05T03:00:00+01:00"},
	} {
		_, _, stderr := cli(t, "", args(a...)...)
		if !strings.Contains(stderr, "warning: --now 2026-12-05T03:00:00+01:00") || !strings.Contains(stderr, "outside their windows") {
			t.Errorf("%s --now: stderr lacks the warning:\n%s", a[0], stderr)
		}
	}
	if _, _, stderr := cli(t, "", args("rotate", "--repo", repo, "--dry-run", "--now", "2026-12-05T03:00:00+01:00")...); strings.Contains(stderr, "warning: --now") {
		t.Errorf("rotate --dry-run --now changes nothing but warned:\n%s", stderr)
	}
}
