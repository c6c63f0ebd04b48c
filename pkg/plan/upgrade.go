package plan

import (
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// advice is a warning the version path adds: upgrade-available or spec-behind (with its facts).
type advice struct {
	code, msg string
	behind    *SpecBehind
}

func available(format string, args ...any) *advice {
	return &advice{code: "upgrade-available", msg: fmt.Sprintf(format, args...)}
}

// upgradePath is the chain of control-plane versions that takes a cluster from live to want:
// one hop per minor, each at that minor's latest patch in the catalog, the last one at the exact
// patch when want is exact. Scaleway accepts only a higher patch of the same minor or the next
// minor; a downgrade or a minor the catalog does not offer is an error. note is an
// "upgrade-available" advice when a newer patch exists that the spec does not ask for now, or a
// "spec-behind" one when Scaleway moved the cluster past the spec: a forced upgrade off an
// end-of-life minor (the spec's minor is past its end of life at now, or no longer offered), or
// a patch it applied. A live minor ahead of a supported spec minor is a downgrade request: an
// error.
func upgradePath(liveS, wantS string, autoUpgrade bool, cat catalog, now time.Time) (hops []spec.Version, note *advice, err error) {
	live, err := spec.ParseVersion(liveS)
	if err != nil || !live.Exact {
		return nil, nil, fmt.Errorf("live version %q is not an exact x.y.z version", liveS)
	}
	want, err := spec.ParseVersion(wantS)
	if err != nil {
		return nil, nil, err
	}
	if want.Major != live.Major {
		return nil, nil, fmt.Errorf("cannot change the major version from %s to %s", live, want)
	}
	switch c := want.CompareMinor(live); {
	case c < 0:
		if why, forced := pastSupport(want, cat, now); forced {
			return nil, behind(live, want, BehindForcedUpgrade, "Scaleway upgraded the cluster ("+why+")", sameForm(want, live), cat, now), nil
		}
		return nil, nil, fmt.Errorf("cannot downgrade from %s to %s: Scaleway does not support downgrades", live, want)
	case c == 0:
		return sameMinorPath(live, want, autoUpgrade, cat, now)
	}
	for m := live.Minor + 1; m <= want.Minor; m++ {
		step := spec.Version{Major: live.Major, Minor: m}
		latest, ok := cat.latestOf(step)
		if !ok {
			return nil, nil, fmt.Errorf("no upgrade path from %s to %s: %s is not offered by the version catalog (offered: %s)", live, want, step, cat.minors())
		}
		if m == want.Minor && want.Exact {
			if want.Patch > latest.Patch {
				return nil, nil, fmt.Errorf("cannot upgrade from %s to %s: the catalog's latest %s patch is %s", live, want, step, latest)
			}
			if want.Patch < latest.Patch {
				note = available("%s is available; the spec pins %s", latest, want)
			}
			latest = want
		}
		hops = append(hops, latest)
	}
	return hops, note, nil
}

// sameMinorPath handles a target within the live minor: at most one patch hop.
func sameMinorPath(live, want spec.Version, autoUpgrade bool, cat catalog, now time.Time) ([]spec.Version, *advice, error) {
	latest, ok := cat.latestOf(want)
	if want.Exact {
		switch {
		case want.Patch < live.Patch && autoUpgrade:
			// Scaleway's auto-upgrade moved the patch ahead of the spec: expected, not a change,
			// but the spec no longer says what runs.
			return nil, behind(live, want, BehindAutoUpgrade, "the cluster's auto-upgrade applied a patch", live.MinorString(), cat, now), nil
		case want.Patch < live.Patch:
			// A patch Scaleway applied (a patch cannot be downgraded): a fact to report.
			return nil, behind(live, want, BehindPatch, "Scaleway applied a patch", live.MinorString(), cat, now), nil
		case want.Patch == live.Patch:
			if ok && latest.Patch > want.Patch {
				return nil, available("%s is available; the spec pins %s", latest, want), nil
			}
			return nil, nil, nil
		}
		if !ok || want.Patch > latest.Patch {
			return nil, nil, fmt.Errorf("cannot upgrade from %s to %s: %s is not offered by the version catalog (offered: %s)", live, want, want, cat.minors())
		}
		var note *advice
		if latest.Patch > want.Patch {
			note = available("%s is available; the spec pins %s", latest, want)
		}
		return []spec.Version{want}, note, nil
	}
	if !ok || latest.Patch <= live.Patch {
		return nil, nil, nil
	}
	if autoUpgrade {
		return nil, available("%s is available (live %s); auto-upgrade will apply it in its maintenance window", latest, live), nil
	}
	return []spec.Version{latest}, nil, nil
}

// sameForm is v written like want: exact when want is, else its minor.
func sameForm(want, v spec.Version) string {
	if want.Exact {
		return v.String()
	}
	return v.MinorString()
}

// pastSupport reports whether Scaleway no longer supports minor v at now (its end of life has
// passed, or the catalog no longer offers it), and says so with the date.
func pastSupport(v spec.Version, cat catalog, now time.Time) (string, bool) {
	e, ok := cat.entry(v)
	switch {
	case !ok:
		return fmt.Sprintf("%s is no longer offered", v.MinorString()), true
	case e.EndOfLifeAt != nil && !now.Before(*e.EndOfLifeAt):
		return fmt.Sprintf("%s reached end of life on %s", v.MinorString(), ymd(*e.EndOfLifeAt)), true
	}
	return "", false
}
