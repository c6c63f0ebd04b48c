package plan

import (
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// upgradePath is the chain of control-plane versions that takes a cluster from live to want:
// one hop per minor, each at that minor's latest patch in the catalog, the last one at the exact
// patch when want is exact. Scaleway accepts only a higher patch of the same minor or the next
// minor; a downgrade or a minor the catalog does not offer is an error. note is an
// "upgrade-available" message when a newer patch exists that the spec does not ask for now.
func upgradePath(liveS, wantS string, autoUpgrade bool, cat catalog) (hops []spec.Version, note string, err error) {
	live, err := spec.ParseVersion(liveS)
	if err != nil || !live.Exact {
		return nil, "", fmt.Errorf("live version %q is not an exact x.y.z version", liveS)
	}
	want, err := spec.ParseVersion(wantS)
	if err != nil {
		return nil, "", err
	}
	if want.Major != live.Major {
		return nil, "", fmt.Errorf("cannot change the major version from %s to %s", live, want)
	}
	switch c := want.CompareMinor(live); {
	case c < 0:
		return nil, "", fmt.Errorf("cannot downgrade from %s to %s: Scaleway does not support downgrades", live, want)
	case c == 0:
		return sameMinorPath(live, want, autoUpgrade, cat)
	}
	for m := live.Minor + 1; m <= want.Minor; m++ {
		step := spec.Version{Major: live.Major, Minor: m}
		latest, ok := cat.latestOf(step)
		if !ok {
			return nil, "", fmt.Errorf("no upgrade path from %s to %s: %s is not offered by the version catalog (offered: %s)", live, want, step, cat.minors())
		}
		if m == want.Minor && want.Exact {
			if want.Patch > latest.Patch {
				return nil, "", fmt.Errorf("cannot upgrade from %s to %s: the catalog's latest %s patch is %s", live, want, step, latest)
			}
			if want.Patch < latest.Patch {
				note = fmt.Sprintf("%s is available; the spec pins %s", latest, want)
			}
			latest = want
		}
		hops = append(hops, latest)
	}
	return hops, note, nil
}

// sameMinorPath handles a target within the live minor: at most one patch hop.
func sameMinorPath(live, want spec.Version, autoUpgrade bool, cat catalog) ([]spec.Version, string, error) {
	latest, ok := cat.latestOf(want)
	if want.Exact {
		switch {
		case want.Patch < live.Patch && autoUpgrade:
			// Scaleway's auto-upgrade moved the patch ahead of the spec: expected, not a change.
			return nil, "", nil
		case want.Patch < live.Patch:
			return nil, "", fmt.Errorf("cannot downgrade from %s to %s: Scaleway does not support downgrades", live, want)
		case want.Patch == live.Patch:
			if ok && latest.Patch > want.Patch {
				return nil, fmt.Sprintf("%s is available; the spec pins %s", latest, want), nil
			}
			return nil, "", nil
		}
		if !ok || want.Patch > latest.Patch {
			return nil, "", fmt.Errorf("cannot upgrade from %s to %s: %s is not offered by the version catalog (offered: %s)", live, want, want, cat.minors())
		}
		note := ""
		if latest.Patch > want.Patch {
			note = fmt.Sprintf("%s is available; the spec pins %s", latest, want)
		}
		return []spec.Version{want}, note, nil
	}
	if !ok || latest.Patch <= live.Patch {
		return nil, "", nil
	}
	if autoUpgrade {
		return nil, fmt.Sprintf("%s is available (live %s); auto-upgrade will apply it in its maintenance window", latest, live), nil
	}
	return []spec.Version{latest}, "", nil
}
