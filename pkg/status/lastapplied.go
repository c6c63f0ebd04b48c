package status

import (
	"io/fs"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// LastAppliedFrom reads every status/*.yaml of a repository tree and returns, per cluster key
// (plan.Key), what the last applied spec recorded. Unreadable or foreign files are ignored: a
// cluster without a record is never deleted (DESIGN §7 fails closed).
func LastAppliedFrom(fsys fs.FS) map[string]plan.Applied {
	out := map[string]plan.Applied{}
	entries, err := fs.ReadDir(fsys, "status")
	if err != nil {
		return out
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := fs.ReadFile(fsys, "status/"+e.Name())
		if err != nil {
			continue
		}
		if s, err := ParseYAML(b); err == nil && s.LastApplied != nil {
			out[plan.Key(s.Region, s.ProjectID, s.Cluster)] = plan.Applied{DeletionProtection: s.LastApplied.DeletionProtection}
		}
	}
	return out
}
