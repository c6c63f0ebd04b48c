package runner

import (
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// A status file is read back as a report; its cluster: field is not a path. A forged
// status/x.yaml whose cluster: climbs out of status/ made a loop that had not seen a valid
// revision yet build that cluster's status at status/../clusters/…: the commit was refused, so
// the revision's validation errors were never reported, on every tick. The forged record is
// now left out and the errors are committed as usual.
func TestForgedStatusNameNeitherEscapesNorBlocksTheReport(t *testing.T) {
	e := newEnv(t, "revert")
	e.user.Write(t, map[string]string{
		"clusters/prod-par.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\nmetadata: {name: prod-par}\nspec: {region: fr-par, version: \"one\"}\n",
		"status/x.yaml":          "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: ClusterStatus\ncluster: ../clusters/prod-par\nregion: fr-par\n",
	})
	bad := e.user.CommitAndPush(t, "broken spec and a forged status", 3)
	res := e.tick("start")
	if !res.Invalid || res.StatusCommit == "" {
		t.Fatalf("tick = %+v, want an invalid revision reported in a status commit", res)
	}
	st := e.status(RepositoryStatusName)
	if st.LastAttemptedRevision != bad || len(st.Errors) == 0 || !strings.Contains(st.Errors[0], "clusters/prod-par.yaml:4:") {
		t.Fatalf("repository status = %+v, want the validation errors of %s", st, bad)
	}
	if got := gittest.Show(t, e.bare, "main", "clusters/prod-par.yaml"); !strings.Contains(got, `version: "one"`) {
		t.Errorf("clusters/prod-par.yaml = %q, want the user's file untouched", got)
	}
}
