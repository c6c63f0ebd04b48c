package status

import (
	"io/fs"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// LastAppliedFrom reads every status/*.yaml of a repository tree and returns what each records
// (Recorded). Unreadable or foreign files are ignored: a status file only ever adds caution.
func LastAppliedFrom(fsys fs.FS) map[string]plan.Applied {
	files := map[string][]byte{}
	entries, err := fs.ReadDir(fsys, "status")
	if err != nil {
		return map[string]plan.Applied{}
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		if b, err := fs.ReadFile(fsys, "status/"+e.Name()); err == nil {
			files["status/"+e.Name()] = b
		}
	}
	return Recorded(files)
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
