package runner

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// The deletion rule trusts only evidence written through the Scaleway API. Each scenario is a
// commit an attacker (or an unlucky operator) can make: it removes a spec, turns prune on and
// edits or adds a status file. None of them gets a cluster deleted, and the warning names the file.

const pruneOn = "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nprune: true\n"

// retire removes prod-par's spec and turns prune on.
func (e *env) retire() {
	e.t.Helper()
	e.pull()
	if err := os.Remove(filepath.Join(e.user.Dir, "clusters", "prod-par.yaml")); err != nil {
		e.t.Fatal(err)
	}
	e.user.Write(e.t, map[string]string{"clusters/.keep": "", "reconciler.yaml": pruneOn})
	e.user.CommitAndPush(e.t, "retire prod-par", 3)
}

// editStatus commits an edit of a status file on top of the loop's own status commits.
func (e *env) editStatus(p string, edit func(string) string) {
	e.t.Helper()
	e.pull()
	b, err := os.ReadFile(filepath.Join(e.user.Dir, p))
	if err != nil {
		e.t.Fatal(err)
	}
	e.user.Write(e.t, map[string]string{p: edit(string(b))})
	e.user.CommitAndPush(e.t, "edit "+p, 3)
}

func (e *env) pull() {
	e.t.Helper()
	if _, err := gittest.RunErr(e.user.Dir, e.user.Env, "pull", "--quiet", "--rebase", "origin", "main"); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) deletes() int {
	n := 0
	for _, m := range mutations(e.t, e.emu) {
		if strings.HasPrefix(m, "DELETE /k8s/v1/regions/{region}/clusters/") {
			n++
		}
	}
	return n
}

func warningWith(s *status.ClusterStatus, code, text string) bool {
	for _, w := range s.Warnings {
		if w.Code == code && strings.Contains(w.Message, text) {
			return true
		}
	}
	return false
}

// A protected cluster whose status file was edited to say deletionProtection: false.
func TestForgedLastAppliedDeletesNothing(t *testing.T) {
	e := newEnv(t, "revert")
	e.tick("start") // creates prod-par, protected by default: live tag deletion-protection=true
	e.retire()
	e.tick("webhook") // status rewritten: kept, prune on
	e.editStatus("status/prod-par.yaml", func(s string) string {
		return strings.Replace(s, "deletionProtection: true", "deletionProtection: false", 1)
	})
	e.restart() // a running loop remembers what it wrote; a restarted one reads the edited file
	e.tick("start")
	if n := e.deletes(); n != 0 {
		t.Fatalf("%d cluster deletion(s) on the strength of an edited status file", n)
	}
	if l := e.live(); l == nil || l.Status == "deleted" {
		t.Fatal("prod-par is gone")
	}
	if st := e.status("prod-par"); !warningWith(st, "cluster-not-in-spec", "whatever status/prod-par.yaml says") {
		t.Errorf("warnings %+v, want cluster-not-in-spec naming status/prod-par.yaml", st.Warnings)
	}
}

// A committed status file naming another team's cluster in the same project (tagged as theirs,
// even unprotected) with their real id.
func TestForeignClusterNamedByACommittedStatusIsNotDeleted(t *testing.T) {
	e := newEnv(t, "revert")
	e.tick("start")
	theirs, err := e.prov.CreateCluster(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: project}, cloud.Cluster{
		Name: "team-b-prod", Type: "kapsule", Version: "1.35.9", CNI: "cilium", PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Tags:  []string{cloud.ManagedByTag, cloud.OwnerTag("team-b"), cloud.ProtectionTag(false)},
		Pools: []cloud.Pool{{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.NewReplacer("cluster: prod-par", "cluster: team-b-prod").Replace(gittest.Show(t, e.bare, "main", "status/prod-par.yaml"))
	forged = strings.Replace(forged, "deletionProtection: true", "deletionProtection: false", 1)
	forged = replaceID(forged, theirs.ID)
	e.user.Write(t, map[string]string{"status/team-b-prod.yaml": forged, "reconciler.yaml": pruneOn})
	e.user.CommitAndPush(t, "add a status for team-b-prod", 3)
	e.restart() // the status files are read at start
	e.tick("start")
	if n := e.deletes(); n != 0 {
		t.Fatalf("%d cluster deletion(s): another repository's cluster was deleted", n)
	}
	st := e.status("team-b-prod")
	if !warningWith(st, "cluster-not-in-spec", "status/team-b-prod.yaml") || !warningWith(st, "cluster-not-in-spec", "(team-b)") {
		t.Errorf("warnings %+v, want one naming the file and the owner", st.Warnings)
	}
}

// A stale status (the cluster it described was deleted by the CLI, which wrote no status) and a
// new cluster of the same name, tagged like ours and unprotected: the ids differ, nothing is deleted.
func TestStaleStatusDoesNotDeleteANewClusterOfTheSameName(t *testing.T) {
	e := newEnv(t, "revert")
	e.tick("start")
	old := e.live()
	if err := e.prov.DeleteCluster(t.Context(), "fr-par", old.ID); err != nil { // the CLI's delete
		t.Fatal(err)
	}
	waitGone(t, e, old.ID)
	fresh, err := e.prov.CreateCluster(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: project}, cloud.Cluster{
		Name: "prod-par", Type: "kapsule", Version: "1.35.9", CNI: "cilium", PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Tags:  []string{cloud.ManagedByTag, cloud.OwnerTag(e.runner.owner()), cloud.ProtectionTag(false)},
		Pools: []cloud.Pool{{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	e.retire() // the old status file stays, naming the old id
	before := e.deletes()
	e.tick("webhook")
	if n := e.deletes() - before; n != 0 {
		t.Fatalf("%d deletion(s): a new cluster was deleted on the strength of a stale status", n)
	}
	if l := e.live(); l == nil || l.ID != fresh.ID {
		t.Fatalf("live prod-par = %+v, want the new cluster %s untouched", l, fresh.ID)
	}
	if st := e.status("prod-par"); !warningWith(st, "cluster-not-in-spec", "records cluster id "+old.ID) {
		t.Errorf("warnings %+v, want the id mismatch named", st.Warnings)
	}
}

// The loop is killed between a delete and its status push (here: the push is refused); the
// restarted loop deletes nothing else.
func TestKillBetweenDeleteAndStatusPushDeletesNothingElse(t *testing.T) {
	e := newEnv(t, "revert")
	other := strings.NewReplacer("name: prod-par", "name: keep-me", "tags: [team-a]", "tags: [team-a]\n  deletionProtection: false").Replace(strings.Replace(clusterYAML, "DRIFT", "revert", 1))
	e.user.Write(t, map[string]string{
		"clusters/prod-par.yaml": strings.Replace(strings.Replace(clusterYAML, "DRIFT", "revert", 1), "  tags: [team-a]\n", "  tags: [team-a]\n  deletionProtection: false\n", 1),
		"clusters/keep-me.yaml":  other})
	e.user.CommitAndPush(t, "two unprotected clusters", 3)
	e.tick("start")
	e.retire()

	hook := filepath.Join(e.bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho refused >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := e.runner.Tick(ctx, "webhook"); err == nil {
		t.Log("tick reported no error although the status push was refused")
	}
	if n := e.deletes(); n != 1 {
		t.Fatalf("deletions = %d, want prod-par's", n)
	}
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	e.restart() // its statuses never recorded the delete
	e.tick("start")
	if n := e.deletes(); n != 1 {
		t.Fatalf("deletions after the restart = %d, want still 1", n)
	}
	if _, err := gittest.RunErr(e.bare, nil, "cat-file", "-e", "main:status/keep-me.yaml"); err != nil {
		t.Error("keep-me's status is missing after the restart")
	}
}

// restart replaces the runner with a new one (new cache, nothing in memory): it reads the
// statuses from the repository, as a restarted process does.
func (e *env) restart() {
	e.t.Helper()
	src, err := source.New(source.Options{URL: e.user.URL, CacheDir: e.t.TempDir()})
	if err != nil {
		e.t.Fatal(err)
	}
	e.runner = &Runner{Source: src, Provider: e.prov, Exec: &apply.Executor{Provider: e.prov, Options: e.runner.Exec.Options},
		Clock: e.clock, DriftInterval: e.runner.DriftInterval, DefaultProjectID: project, DefaultRegion: "fr-par"}
}

// replaceID swaps the status file's top-level id for id.
func replaceID(s, id string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "id: ") {
			lines[i] = "id: " + id
		}
	}
	return strings.Join(lines, "\n")
}

// waitGone reads the project until the cluster with id is gone (TestDwell: each read fires the
// transitions due).
func waitGone(t *testing.T, e *env, id string) {
	t.Helper()
	for range 10 {
		snap, err := e.prov.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: project})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(snap.Clusters, func(c cloud.Cluster) bool { return c.ID == id && c.Status != "deleted" }) {
			return
		}
	}
	t.Fatalf("cluster %s still live", id)
}

// A cluster with this repository's owner tag that no spec and no status name (created by a run
// killed before its status push, then its spec removed) is listed in status/_repository.yaml;
// the file goes once the orphan is gone.
func TestOrphanIsListedInTheRepositoryStatus(t *testing.T) {
	e := newEnv(t, "revert")
	e.tick("start")
	orphan, err := e.prov.CreateCluster(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: project}, cloud.Cluster{
		Name: "half-made", Type: "kapsule", Version: "1.35.9", CNI: "cilium", PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Tags:  []string{cloud.ManagedByTag, cloud.OwnerTag(e.runner.owner()), cloud.ProtectionTag(true)},
		Pools: []cloud.Pool{{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Step(time.Hour) // past the drift interval: the loop observes again
	if res := e.tick("drift"); res.StatusCommit == "" {
		t.Fatalf("tick = %+v, want the orphan reported", res)
	}
	st := e.status(RepositoryStatusName)
	if len(st.Orphans) != 1 || st.Orphans[0].ID != orphan.ID || st.Orphans[0].Action != "kept" || cond(st, status.Ready) != "False/OrphansFound" {
		t.Fatalf("repository status = %+v", st)
	}
	if strings.Contains(gittest.Show(t, e.bare, "main", "reports/"+RepositoryStatusName+".md"), "half-made") == false {
		t.Error("the report does not name the orphan")
	}
	if err := e.prov.DeleteCluster(t.Context(), "fr-par", orphan.ID); err != nil {
		t.Fatal(err)
	}
	waitGone(t, e, orphan.ID)
	e.clock.Step(time.Hour)
	e.tick("drift")
	if e.onBranch("main", "status/"+RepositoryStatusName+".yaml") {
		t.Error("status/_repository.yaml is still there with no orphan left")
	}
}
