package plan

import "fmt"

// upgradePath is the chain of control-plane versions that takes a cluster from live to want:
// one hop per minor, each at that minor's latest patch in the catalog, the last one at the exact
// patch when want is exact. Scaleway accepts only a higher patch of the same minor or the next
// minor; a downgrade or a minor the catalog does not offer is an error. note is an
// "upgrade-available" message when a newer patch exists that the spec does not ask for now.
func upgradePath(liveS, wantS string, autoUpgrade bool, cat catalog) (hops []kver, note string, err error) {
	live, err := parseVersion(liveS)
	if err != nil || !live.exact {
		return nil, "", fmt.Errorf("live version %q is not an exact x.y.z version", liveS)
	}
	want, err := parseVersion(wantS)
	if err != nil {
		return nil, "", err
	}
	if want.major != live.major {
		return nil, "", fmt.Errorf("cannot change the major version from %s to %s", live, want)
	}
	switch c := want.cmpMinor(live); {
	case c < 0:
		return nil, "", fmt.Errorf("cannot downgrade from %s to %s: Scaleway does not support downgrades", live, want)
	case c == 0:
		return sameMinorPath(live, want, autoUpgrade, cat)
	}
	for m := live.minor + 1; m <= want.minor; m++ {
		step := kver{major: live.major, minor: m}
		latest, ok := cat.latestOf(step)
		if !ok {
			return nil, "", fmt.Errorf("no upgrade path from %s to %s: %s is not offered by the version catalog (offered: %s)", live, want, step, cat.minors())
		}
		if m == want.minor && want.exact {
			if want.patch > latest.patch {
				return nil, "", fmt.Errorf("cannot upgrade from %s to %s: the catalog's latest %s patch is %s", live, want, step, latest)
			}
			if want.patch < latest.patch {
				note = fmt.Sprintf("%s is available; the spec pins %s", latest, want)
			}
			latest = want
		}
		hops = append(hops, latest)
	}
	return hops, note, nil
}

// sameMinorPath handles a target within the live minor: at most one patch hop.
func sameMinorPath(live, want kver, autoUpgrade bool, cat catalog) ([]kver, string, error) {
	latest, ok := cat.latestOf(want)
	if want.exact {
		switch {
		case want.patch < live.patch && autoUpgrade:
			// Scaleway's auto-upgrade moved the patch ahead of the spec: expected, not a change.
			return nil, "", nil
		case want.patch < live.patch:
			return nil, "", fmt.Errorf("cannot downgrade from %s to %s: Scaleway does not support downgrades", live, want)
		case want.patch == live.patch:
			if ok && latest.patch > want.patch {
				return nil, fmt.Sprintf("%s is available; the spec pins %s", latest, want), nil
			}
			return nil, "", nil
		}
		if !ok || want.patch > latest.patch {
			return nil, "", fmt.Errorf("cannot upgrade from %s to %s: %s is not offered by the version catalog (offered: %s)", live, want, want, cat.minors())
		}
		note := ""
		if latest.patch > want.patch {
			note = fmt.Sprintf("%s is available; the spec pins %s", latest, want)
		}
		return []kver{want}, note, nil
	}
	if !ok || latest.patch <= live.patch {
		return nil, "", nil
	}
	if autoUpgrade {
		return nil, fmt.Sprintf("%s is available (live %s); auto-upgrade will apply it in its maintenance window", latest, live), nil
	}
	return []kver{latest}, "", nil
}
