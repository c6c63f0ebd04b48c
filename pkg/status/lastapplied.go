package status

import (
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// LastAppliedFrom reads every status/*.yaml of a repository tree (ReadFiles) and returns what
// each records (Recorded), and the files it left out (skipped). A file left out counts as absent:
// a status file only ever adds caution.
func LastAppliedFrom(fsys fs.FS) (applied map[string]plan.Applied, skipped []error) {
	files, skipped := ReadFiles(fsys)
	return Recorded(files), skipped
}

// Recorded returns, per cluster key (plan.Key), what the status files (contents by path) record
// for the deletion rule: the file, the live cluster id it described, and the last applied
// deletionProtection (true when none is recorded). A status is a report, never an authorisation:
// the plan uses it only to be more careful. Files that do not parse are skipped. When several
// files describe one cluster (the reconciler writes status/<cluster>.yaml only; the others were
// pushed by someone), the most careful record is kept, the same on every pass: one that records
// deletionProtection: true, else one without a cluster id, else status/<cluster>.yaml, else the
// first by path. Another file can add caution, never take it away.
func Recorded(files map[string][]byte) map[string]plan.Applied {
	out := map[string]plan.Applied{}
	canonical := map[string]bool{}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		s, err := ParseYAML(files[p])
		if err != nil || s.Cluster == "" || strings.HasPrefix(s.Cluster, "_") {
			continue
		}
		a := plan.Applied{File: p, ID: s.ID, DeletionProtection: s.LastApplied == nil || s.LastApplied.DeletionProtection}
		key := plan.Key(s.Region, s.ProjectID, s.Cluster)
		isCanonical := p == "status/"+s.Cluster+".yaml"
		if prev, ok := out[key]; ok && !moreCareful(a, isCanonical, prev, canonical[key]) {
			continue
		}
		out[key], canonical[key] = a, isCanonical
	}
	return out
}

// moreCareful reports whether record a (canonical: at status/<cluster>.yaml) should replace b.
func moreCareful(a plan.Applied, aCanonical bool, b plan.Applied, bCanonical bool) bool {
	switch {
	case a.DeletionProtection != b.DeletionProtection:
		return a.DeletionProtection
	case (a.ID == "") != (b.ID == ""):
		return a.ID == ""
	}
	return aCanonical && !bCanonical
}
