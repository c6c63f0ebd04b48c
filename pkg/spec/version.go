package spec

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// Version is a parsed Kubernetes version from the spec: a minor ("1.35", follow its latest
// patch) or an exact patch ("1.35.3").
type Version struct {
	Major, Minor, Patch int
	// Exact is true when the patch was written ("1.35.3"), false for a minor ("1.35").
	Exact bool
}

// ParseVersion parses MAJOR.MINOR or MAJOR.MINOR.PATCH: decimal numbers without sign, leading
// zeros, a "v" prefix or a pre-release suffix.
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("invalid version %q: must be MAJOR.MINOR or MAJOR.MINOR.PATCH", s)
	}
	nums := make([]int, 3)
	for i, p := range parts {
		if p == "" || len(p) > 6 || (len(p) > 1 && p[0] == '0') || strings.TrimLeft(p, "0123456789") != "" {
			return Version{}, fmt.Errorf("invalid version %q: must be MAJOR.MINOR or MAJOR.MINOR.PATCH", s)
		}
		n, _ := strconv.Atoi(p) // digits only, at most 6: cannot fail
		nums[i] = n
	}
	return Version{Major: nums[0], Minor: nums[1], Patch: nums[2], Exact: len(parts) == 3}, nil
}

// String renders the version as written: "1.35" or "1.35.3".
func (v Version) String() string {
	if v.Exact {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return v.MinorString()
}

// MinorString is the minor the version belongs to, e.g. "1.35".
func (v Version) MinorString() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// CompareMinor orders two versions by major then minor, ignoring the patch.
func (v Version) CompareMinor(o Version) int {
	return cmp.Or(cmp.Compare(v.Major, o.Major), cmp.Compare(v.Minor, o.Minor))
}

// Compare orders two versions; a minor sorts before every exact patch of that minor.
func (v Version) Compare(o Version) int {
	if c := v.CompareMinor(o); c != 0 {
		return c
	}
	if v.Exact != o.Exact {
		if v.Exact {
			return 1
		}
		return -1
	}
	return cmp.Compare(v.Patch, o.Patch)
}

// Matches reports whether the exact live version l satisfies v: same minor, and the same patch
// when v is exact.
func (v Version) Matches(l Version) bool {
	return v.CompareMinor(l) == 0 && (!v.Exact || v.Patch == l.Patch)
}
