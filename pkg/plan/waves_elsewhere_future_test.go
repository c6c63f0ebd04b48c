package plan

import (
	"testing"
	"time"
)

// A status file of another shard's cluster that claimed to be checked in 2099 was fresh for
// ever (its age was negative): anyone who could push held a lower wave's facts "current" long
// after its replica stopped. Facts checked after now (beyond a minute of clock skew) are stale,
// and hold the higher wave like any other untrusted facts; a replica's clock a few seconds ahead
// is not.
func TestWavesElsewhereFactsFromTheFutureAreStale(t *testing.T) {
	for name, tc := range map[string]struct {
		at   time.Time
		hold bool
	}{
		"a few seconds ahead": {time.Date(2026, 11, 26, 10, 0, 30, 0, time.UTC), false},
		"an hour ahead":       {time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC), true},
		"in 2099":             {time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Compute(elsewhereCase(t, func(_ *Elsewhere, f *RecordedFacts) { f.CheckedAt = tc.at }))
			mustPlan(t, p, err)
			if !tc.hold {
				wantIDs(t, p, "wave-b", "wave-b/upgrade-cluster/1.36.1", "wave-b/upgrade-pool/default/1.36.1")
				return
			}
			wantIDs(t, p, "wave-b")
			wantWhy(t, p, "wave-b", WhyWavePending, "status/wave-a.yaml records a check at "+tc.at.Format(time.RFC3339)+", after 2026-11-26T10:00:00Z")
		})
	}
}
