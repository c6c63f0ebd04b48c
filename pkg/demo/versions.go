package demo

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// versionLine is a spec's `version: "x.y[.z]"` line.
var versionLine = regexp.MustCompile(`(?m)^(\s*version:\s*)"(\d+)\.(\d+)(\.\d+)?"`)

// offeredMinors are the minors the emulator's catalog lists (creatable) and that have not
// reached their end of life at now, by minor number, with their latest patch.
func offeredMinors(now time.Time) map[int]string {
	out := map[int]string{}
	for _, v := range emulator.DefaultCatalog() {
		parts := strings.Split(v.Name, ".")
		if !v.Listed || len(parts) != 3 || (!v.EndOfLife.IsZero() && !now.Before(v.EndOfLife)) {
			continue
		}
		m, err := strconv.Atoi(parts[1])
		if err == nil {
			out[m] = v.Name
		}
	}
	return out
}

// oldestOffered is the oldest minor the catalog lists.
func oldestOffered(offered map[int]string) int {
	oldest := -1
	for m := range offered {
		if oldest < 0 || m < oldest {
			oldest = m
		}
	}
	return oldest
}

// seedVersion rewrites a spec file's version when the catalog no longer offers its minor (the
// examples may pin a minor past its end of life): the demo seeds the oldest offered minor's
// latest patch instead. It returns the file and what changed ("" when nothing).
func seedVersion(b []byte, offered map[int]string) ([]byte, string) {
	m := versionLine.FindSubmatch(b)
	if m == nil {
		return b, ""
	}
	minor, _ := strconv.Atoi(string(m[3]))
	if _, ok := offered[minor]; ok {
		return b, ""
	}
	to := offered[oldestOffered(offered)]
	from := string(m[2]) + "." + string(m[3]) + string(m[4])
	out := versionLine.ReplaceAll(b, []byte(`${1}"`+to+`"`))
	return out, fmt.Sprintf("%s -> %s (%s is past its end of life or no longer offered)", from, to, string(m[2])+"."+string(m[3]))
}

// upgradeTarget is the minor a demo upgrade from version goes to: two minors up when the
// catalog offers it (a chained upgrade), else one.
func upgradeTarget(version string, offered map[int]string) (string, error) {
	parts := strings.Split(version, ".")
	if len(parts) < 2 {
		return "", fmt.Errorf("version %q is not x.y[.z]", version)
	}
	minor, err := strconv.Atoi(parts[1])
	if err != nil {
		return "", fmt.Errorf("version %q is not x.y[.z]", version)
	}
	for _, m := range []int{minor + 2, minor + 1} {
		if _, ok := offered[m]; ok {
			return parts[0] + "." + strconv.Itoa(m), nil
		}
	}
	return "", fmt.Errorf("the catalog offers no minor above %s", version)
}

// specVersion is the version a spec file pins ("" when none).
func specVersion(b []byte) string {
	m := versionLine.FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[2]) + "." + string(m[3]) + string(m[4])
}
