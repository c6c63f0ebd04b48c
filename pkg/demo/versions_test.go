package demo

import (
	"strings"
	"testing"
)

// Examples pinned to a minor the catalog no longer lists are seeded at the oldest listed minor,
// and the upgrade goes two minors up when offered, else one.
func TestSeedVersionAndUpgradeTarget(t *testing.T) {
	offered := map[int]string{35: "1.35.9", 36: "1.36.5", 37: "1.37.1"}
	b, what := seedVersion([]byte("spec:\n  version: \"1.34.6\"\n  pools: []\n"), offered)
	if !strings.Contains(string(b), `version: "1.35.9"`) || what != "1.34.6 -> 1.35.9 (1.34 is past its end of life or no longer offered)" {
		t.Errorf("seeded %q (%s)", b, what)
	}
	if b, what := seedVersion([]byte("  version: \"1.36\"\n"), offered); string(b) != "  version: \"1.36\"\n" || what != "" {
		t.Errorf("an offered minor was rewritten: %q %q", b, what)
	}
	for from, want := range map[string]string{"1.35.9": "1.37", "1.36.5": "1.37"} {
		if got, err := upgradeTarget(from, offered); err != nil || got != want {
			t.Errorf("upgradeTarget(%s) = %s, %v; want %s", from, got, err, want)
		}
	}
	if _, err := upgradeTarget("1.37.1", offered); err == nil {
		t.Error("an upgrade above the newest minor was planned")
	}
}
