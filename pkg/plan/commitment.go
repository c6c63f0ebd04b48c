package plan

import (
	"strconv"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// WhyCommitment defers a set-type to a lower tier while the live type's commitment runs.
const WhyCommitment = "commitment"

// commitmentDelay is the dedicated types' commitment (the API's commitment_delay, 2592000s):
// moving to a dedicated tier bills it for 30 days, during which no lower type is accepted.
const commitmentDelay = 30 * 24 * time.Hour

// typeTier orders a family's types: 0 for the mutualised type, N for dedicated-N.
func typeTier(t string) int {
	if i := strings.LastIndex(t, "-dedicated-"); i >= 0 {
		n, _ := strconv.Atoi(t[i+len("-dedicated-"):])
		return n
	}
	return 0
}

// commitment applies the 30-day rule to a set-type draft from live.Type to want: a lower tier
// before live.CommitmentEndsAt is deferred until that date (Scaleway refuses it; available-types
// lists only higher tiers then); a higher dedicated tier warns that it starts a commitment
// (billing) until now + 30 days.
func commitment(w *work, now time.Time, live *cloud.Cluster, want string, d *draft) {
	from, to := typeTier(live.Type), typeTier(want)
	switch {
	case to < from && live.CommitmentEndsAt != nil && now.Before(*live.CommitmentEndsAt):
		d.gate = &gate{WhyCommitment, "cluster " + live.Name + " is " + live.Type + " under its 30-day commitment until " +
			live.CommitmentEndsAt.UTC().Format(time.RFC3339) + ": Scaleway refuses a lower type before then, so " + want + " waits"}
	case to > from:
		commitmentStarts(w, live.Name, live.Type, want, now)
	}
}

// commitmentStarts warns that moving (or creating) name to a dedicated type starts 30 days of
// billing commitment.
func commitmentStarts(w *work, name, from, to string, now time.Time) {
	what := "creating it as " + to
	if from != "" {
		what = from + " → " + to
	}
	w.warn("commitment-starts", "cluster %s: %s starts a 30-day commitment (billing) until %s: no lower type is accepted before then",
		name, what, now.Add(commitmentDelay).UTC().Format("2006-01-02"))
}
