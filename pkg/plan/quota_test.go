package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Deferred actions need no room: with web's replacement and upgrades outside its window, the
// quota-exceeded case needs only web's new pool (+2) and api's (+1), which the 3 left allow.
func TestQuotaCountsOnlyActionsThatRun(t *testing.T) {
	in := loadCase(t, "testdata/plan/quota-exceeded")
	for _, c := range in.Desired {
		if c.Metadata.Name == "web" {
			c.Spec.Upgrade = &spec.UpgradePolicy{Window: &spec.Window{Schedule: "0 2 * * SAT", Duration: spec.Duration{Duration: 2 * time.Hour}, TimeZone: "UTC"}}
		}
	}
	p, err := Compute(in)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	if p.Summary.Create != 2 || p.Summary.Replace != 0 || p.Summary.Deferred == 0 {
		t.Errorf("summary = %+v, want the two creations and the rest deferred", p.Summary)
	}

	// One more Instance in use and the same plan no longer fits: 3 needed, 2 left.
	in.Snapshots[0].Zones[0].Quota.Used = 10
	_, err = Compute(in)
	if err == nil || !strings.Contains(err.Error(), "needs up to 3 more Instances at its peak but the quota leaves 2 (limit 12, 10 in use)") {
		t.Errorf("Compute = %v, want the quota error with 3 needed and 2 left", err)
	}
}

// The commitment binds until commitment_ends_at, not after: at that instant the lower type runs.
func TestCommitmentEndsAtItsDate(t *testing.T) {
	in := loadCase(t, "testdata/plan/commitment-downgrade")
	in.Now = time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	p, err := Compute(in)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	wantIDs(t, p, "locked-in", "locked-in/set-cluster-type/kapsule-dedicated-4")
	wantDeferred(t, p, "locked-in", map[string]string{})
}
