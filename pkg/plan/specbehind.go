package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Spec-behind reasons: why Scaleway moved the live version past the spec.
const (
	// BehindForcedUpgrade: the spec's minor is past its end of life (or no longer offered) and
	// Scaleway upgraded the cluster to a newer minor.
	BehindForcedUpgrade = "forced-upgrade"
	// BehindAutoUpgrade: the cluster's auto-upgrade applied a newer patch than the spec pins.
	BehindAutoUpgrade = "auto-upgrade"
	// BehindPatch: Scaleway applied a newer patch than the spec pins, auto-upgrade off.
	BehindPatch = "patch-applied"
)

// SpecBehind is why a cluster's live version is ahead of its spec: a fact the plan reports (the
// spec-behind warning) while it plans everything else. Dates are the catalog's.
type SpecBehind struct {
	Live   string `json:"live"`   // the live version (x.y.z)
	Spec   string `json:"spec"`   // spec.version as written
	Reason string `json:"reason"` // forced-upgrade | auto-upgrade | patch-applied
	// Suggested is the spec.version that ends the warning.
	Suggested string `json:"suggested"`
	// SpecEndOfLifeAt is the spec minor's end of life (forced upgrades).
	SpecEndOfLifeAt *time.Time `json:"spec_end_of_life_at,omitempty"`
	// LiveDeprecatedAt and LiveEndOfLifeAt are the live minor's dates.
	LiveDeprecatedAt *time.Time `json:"live_deprecated_at,omitempty"`
	LiveEndOfLifeAt  *time.Time `json:"live_end_of_life_at,omitempty"`
}

// behind builds the spec-behind advice: the facts and their one-line message.
func behind(live, want spec.Version, reason, why, suggested string, cat catalog, now time.Time) *advice {
	b := &SpecBehind{Live: live.String(), Spec: want.String(), Reason: reason, Suggested: suggested}
	if e, ok := cat.entry(want); ok && want.CompareMinor(live) != 0 {
		b.SpecEndOfLifeAt = e.EndOfLifeAt
	}
	if e, ok := cat.entry(live); ok {
		b.LiveDeprecatedAt, b.LiveEndOfLifeAt = e.DeprecatedAt, e.EndOfLifeAt
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "the live version %s is ahead of the spec's %s: %s", live, want, why)
	var dates []string
	if d := b.LiveDeprecatedAt; d != nil {
		dates = append(dates, tense(now, *d, "is deprecated on ", "was deprecated on ")+ymd(*d))
	}
	if d := b.LiveEndOfLifeAt; d != nil {
		dates = append(dates, tense(now, *d, "reaches end of life on ", "reached end of life on ")+ymd(*d))
	}
	if len(dates) > 0 {
		fmt.Fprintf(&msg, "; %s %s", live.MinorString(), strings.Join(dates, " and "))
	}
	fmt.Fprintf(&msg, "; update spec.version to %s or the next plan keeps warning", suggested)
	return &advice{code: "spec-behind", msg: msg.String(), behind: b}
}

// withLive returns cat with the live cluster's own version facts (GetVersion) for a minor the
// region's list no longer has: the dates of a minor past end of life.
func (c catalog) withLive(lv *cloud.Version) catalog {
	if lv == nil {
		return c
	}
	k, err := spec.ParseVersion(lv.Name)
	if err != nil || !k.Exact {
		return c
	}
	if _, ok := c.byMinor[k.MinorString()]; ok {
		return c
	}
	out := catalog{byMinor: make(map[string]cloud.Version, len(c.byMinor)+1), latest: c.latest}
	for m, v := range c.byMinor {
		out.byMinor[m] = v
	}
	out.byMinor[k.MinorString()] = *lv
	return out
}

func ymd(t time.Time) string { return t.UTC().Format("2006-01-02") }

// tense picks the future or the past form of a date's phrase at now.
func tense(now, at time.Time, future, past string) string {
	if now.Before(at) {
		return future
	}
	return past
}
