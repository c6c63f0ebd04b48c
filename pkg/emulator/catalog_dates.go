package emulator

import (
	"fmt"
	"time"
)

// catalogMinor is one Kubernetes minor of the default catalog with its dates.
type catalogMinor struct {
	minor string
	// latest is the newest patch; patches up to seen were already out at the minor's release
	// (or at least in the 2026-08 recordings), the ones above came out at patchedAt.
	latest, seen   int
	rel, depr, eol string
	patchedAt      string
}

// defaultMinors is the fr-par catalog as of 2026-12. Sources and assumptions:
//   - 1.33–1.36 release, deprecation and end-of-life dates: Scaleway's version support policy
//     (docs/scaleway-k8s-api.md §6), identical to the deprecated_at / end_of_life_at the API
//     returned in the 2026-08 recordings (§2.4).
//   - 1.37: offered since 2026-09-01 (issue 11); its deprecation and end of life are not
//     published in our sources, so they follow the policy's pattern of the previous minors:
//     deprecation 12 months after release (2027-09-01), end of support 2 months later (2027-11-01).
//   - Patches: the 2026-08 recordings show 1.36.1, 1.35.3, 1.34.6 and 1.33.10 as latest; 1.37.1,
//     1.36.5 and 1.35.9 came out on 2026-10-05 (issue 11). The intermediate patches (1.36.2–1.36.4,
//     1.35.4–1.35.8) are not in our sources: they are assumed to have come
//     out with that 2026-10-05 batch, so they exist (seeding, upgrade targets) but are never listed.
//   - 1.33 and 1.34 got no patch after 2026-08 (deprecated since 2026-09-04 and 2026-09-29).
var defaultMinors = []catalogMinor{
	{"1.37", 1, 0, "2026-09-01", "2027-09-01", "2027-11-01", "2026-10-05"},
	{"1.36", 5, 1, "2026-07-07", "2027-07-07", "2027-09-07", "2026-10-05"},
	{"1.35", 9, 3, "2026-01-19", "2027-01-19", "2027-03-19", "2026-10-05"},
	{"1.34", 6, 6, "2025-09-29", "2026-09-29", "2026-11-29", ""},
	{"1.33", 10, 10, "2025-09-04", "2026-09-04", "2026-11-04", ""},
}

// DefaultCatalog is the version catalog as of 2026-12 (defaultMinors): every patch of 1.33–1.37,
// evaluated against the emulator's clock. On 2026-12-03 ListVersions offers 1.37.1, 1.36.5 and
// 1.35.9; 1.34 and 1.33 are deprecated (refused at creation) and past end of life (force-upgraded).
func DefaultCatalog() []CatalogVersion {
	var out []CatalogVersion
	for _, m := range defaultMinors {
		for p := m.latest; p >= 0; p-- {
			v := CatalogVersion{
				Name:       fmt.Sprintf("%s.%d", m.minor, p),
				ReleasedAt: day(m.rel), Deprecated: day(m.depr), EndOfLife: day(m.eol),
			}
			if p > m.seen {
				v.AvailableAt = day(m.patchedAt)
			}
			out = append(out, v)
		}
	}
	return out
}

// CatalogAt lists the versions offered at t (ListVersions' answer then), newest first; tests use
// it to pick a creatable version for a given clock.
func CatalogAt(catalog []CatalogVersion, t time.Time) []string {
	s := &Server{catalog: sortCatalog(catalog)}
	var out []string
	for _, v := range s.catalog {
		if s.offered(v, t) {
			out = append(out, v.Name)
		}
	}
	return out
}
