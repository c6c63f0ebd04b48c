package status

import (
	"io/fs"
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
// the plan uses it only to be more careful. Files that do not parse are skipped.
func Recorded(files map[string][]byte) map[string]plan.Applied {
	out := map[string]plan.Applied{}
	for p, b := range files {
		s, err := ParseYAML(b)
		if err != nil || s.Cluster == "" || strings.HasPrefix(s.Cluster, "_") {
			continue
		}
		a := plan.Applied{File: p, ID: s.ID, DeletionProtection: s.LastApplied == nil || s.LastApplied.DeletionProtection}
		out[plan.Key(s.Region, s.ProjectID, s.Cluster)] = a
	}
	return out
}
