package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
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

// NeedsTargets reports whether the plan of spec c against live cluster l would upgrade it, judged
// from the region's version list (versions) at now: only then are the cluster's available
// versions worth a request (pkg/reconcile asks for them; a cluster in sync costs none).
func NeedsTargets(c *spec.Cluster, l *cloud.Cluster, versions []cloud.Version, now time.Time) bool {
	if c == nil || l == nil || c.Spec.Version == "" || l.Version == "" {
		return false
	}
	autoUp := c.Spec.AutoUpgrade != nil && c.Spec.AutoUpgrade.Enabled
	hops, _, err := upgradePath(l.Version, c.Spec.Version, autoUp, newCatalog(versions).withLive(l.LiveVersion), now)
	return err == nil && len(hops) > 0
}

// upgradeHops is upgradePath from the live cluster, its first hop checked against the versions
// the API offers this cluster (cloud.Cluster.AvailableVersions): the hop the control plane takes
// next must be one of them, the latest patch of its minor among them, or the spec's exact
// version when that is the hop. Later hops come from the region list (the API tells only the
// next one). Unknown available versions (not read, or the read failed: a warning) leave the
// region list's path.
func upgradeHops(w *work, c *spec.Cluster, live *cloud.Cluster, autoUpgrade bool, cat catalog, now time.Time) ([]spec.Version, *advice, error) {
	hops, note, err := upgradeHopsFrom(w, live, c.Spec.Version, autoUpgrade, cat, now)
	if err != nil {
		// Where spec.version was written, when Load recorded it (spec.Cluster.Pos).
		err = fmt.Errorf("%s%w", posOf(c, "spec.version"), err)
	}
	return hops, note, err
}

func upgradeHopsFrom(w *work, live *cloud.Cluster, wantS string, autoUpgrade bool, cat catalog, now time.Time) ([]spec.Version, *advice, error) {
	hops, note, err := upgradePath(live.Version, wantS, autoUpgrade, cat, now)
	if err != nil || len(hops) == 0 {
		return hops, note, err
	}
	if live.AvailableVersions == nil {
		if live.AvailableVersionsError != "" {
			w.warn("available-versions-unknown", "the versions the API offers this cluster as upgrades could not be read (%s): the upgrade targets come from the region's version list", live.AvailableVersionsError)
		}
		return hops, note, nil
	}
	first, err := offeredHop(live.Version, wantS, hops, live.AvailableVersions)
	if err != nil {
		return nil, nil, err
	}
	if first == nil { // a patch the region lists but the API does not offer this cluster yet
		return nil, note, nil
	}
	hops[0] = *first
	return hops, note, nil
}

// offeredHop is the first hop chosen among the available versions avail: the spec's exact
// version when hops[0] is it, else the latest patch of hops[0]'s minor avail offers. nil, nil: a
// patch-only hop the API does not offer (nothing to do now); an error: the step's minor (or the
// exact version) is not offered, naming what is.
func offeredHop(liveS, wantS string, hops []spec.Version, avail []string) (*spec.Version, error) {
	live, _ := spec.ParseVersion(liveS)
	want, _ := spec.ParseVersion(wantS)
	step := hops[0]
	exact := want.Exact && len(hops) == 1 && step.Compare(want) == 0
	var best *spec.Version
	offered := make([]spec.Version, 0, len(avail))
	for _, a := range avail {
		v, err := spec.ParseVersion(a)
		if err != nil || !v.Exact {
			continue
		}
		offered = append(offered, v)
		if exact && v.Compare(want) == 0 {
			return &v, nil
		}
		if !exact && v.CompareMinor(step) == 0 && v.Compare(live) > 0 && (best == nil || v.Compare(*best) > 0) {
			best = &v
		}
	}
	if best != nil {
		return best, nil
	}
	if !exact && step.CompareMinor(live) == 0 {
		return nil, nil
	}
	name := step.MinorString()
	if exact {
		name = want.String()
	}
	return nil, fmt.Errorf("%s is not offered as an upgrade from %s: the API offers %s", name, live, versionList(offered))
}

// versionList is vs, oldest first, as text for error messages.
func versionList(vs []spec.Version) string {
	if len(vs) == 0 {
		return "none"
	}
	slices.SortFunc(vs, func(a, b spec.Version) int { return a.Compare(b) })
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}
