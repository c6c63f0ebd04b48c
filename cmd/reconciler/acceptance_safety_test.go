package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

const teamASettings = "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nowner: team-a\n"

// TestAcceptanceOrphanAfterKillIsReported: apply (a separate process) is killed right after it
// created a cluster, before any status could record it; the spec is then removed. The cluster,
// tagged as this repository's, is an orphan: the plan reports it and --detailed-exitcode exits 2.
func TestAcceptanceOrphanAfterKillIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startEmulatorDwell(t, emulator.Dwell{ClusterCreate: 300 * time.Millisecond, NodeCreate: 300 * time.Millisecond})
	repo := writeRepo(t, map[string]string{"reconciler.yaml": teamASettings, "clusters/edge.yaml": threeClusters["clusters/edge.yaml"]})
	killAtFirstMutation(t, bin, srv, args("apply", "--repo", repo, "--auto-approve")...)
	snap := live(t)
	if len(snap.Clusters) != 1 || !snap.Clusters[0].OwnedBy("team-a") || snap.Clusters[0].Unprotected() {
		t.Fatalf("live after the kill = %+v, want edge created, owned by team-a, protected", snap.Clusters)
	}
	if err := os.Remove(filepath.Join(repo, "clusters", "edge.yaml")); err != nil {
		t.Fatal(err)
	}

	code, out, stderr := cli(t, "", args("plan", "--repo", repo, "--detailed-exitcode", "-o", "json")...)
	if code != 2 {
		t.Fatalf("plan --detailed-exitcode = %d, want 2 (an orphan needs a decision)\n%s\n%s", code, out, stderr)
	}
	var p plan.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("-o json is not JSON: %v\n%s", err, out)
	}
	if p.Summary.Orphans != 1 || p.Summary.Delete != 0 || len(p.Clusters) != 1 || !p.Clusters[0].Orphan {
		t.Fatalf("plan = %+v %+v, want edge reported as the one orphan, not deleted (protected)", p.Summary, p.Clusters)
	}
	codes := []string{}
	for _, w := range p.Clusters[0].Warnings {
		codes = append(codes, w.Code)
	}
	if !slices.Contains(codes, "orphan") || !slices.Contains(codes, "cluster-not-in-spec") {
		t.Errorf("warnings %v, want orphan and cluster-not-in-spec", codes)
	}
	if _, out, _ := cli(t, "", args("plan", "--repo", repo)...); !strings.Contains(out, "1 orphan cluster of this repository needs") {
		t.Errorf("text plan does not count the orphan:\n%s", out)
	}
	if n := len(live(t).Clusters); n != 1 {
		t.Errorf("plan changed the live state: %d clusters", n)
	}
}

// TestAcceptanceApplyCommitsStatusForAGitURL: `apply --repo URL` writes status/ and reports/ with
// the loop's code (the cluster id bound, the last applied spec recorded); with a directory it
// says it wrote nothing.
func TestAcceptanceApplyCommitsStatusForAGitURL(t *testing.T) {
	startEmulator(t)
	gs := gittest.NewHTTPServer(t, "")
	bare := gittest.NewBareRepo(t, gs.Root, "fleet.git")
	u := gittest.Clone(t, gs.RepoURL("fleet.git"))
	u.Write(t, map[string]string{"reconciler.yaml": teamASettings, "clusters/edge.yaml": threeClusters["clusters/edge.yaml"]})
	rev := u.CommitAndPush(t, "add edge", 3)

	// The repository declares owner: team-a; the operator runs under that identity (--owner).
	code, out, stderr := cli(t, "", args("apply", "--repo", gs.RepoURL("fleet.git"), "--owner", "team-a", "--auto-approve")...)
	if code != 0 || !strings.Contains(stderr, "status: committed") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, stderr)
	}
	st, err := status.ParseYAML([]byte(gittest.Show(t, bare, "main", "status/edge.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	edge := liveNamed(t, "edge")
	if st.ID != edge.ID || st.ObservedRevision != rev || st.LastApplied == nil || !st.LastApplied.DeletionProtection {
		t.Errorf("status = id %q observed %q lastApplied %+v, want id %s, revision %s, protection recorded", st.ID, st.ObservedRevision, st.LastApplied, edge.ID, rev)
	}
	if !edge.OwnedBy("team-a") || edge.Unprotected() {
		t.Errorf("live tags %v, want owned by team-a and protected", edge.Tags)
	}
	if r := gittest.Show(t, bare, "main", "reports/edge.md"); !strings.Contains(r, "# Cluster `edge`") {
		t.Errorf("report = %q", r)
	}

	dir := writeRepo(t, map[string]string{"reconciler.yaml": teamASettings, "clusters/edge.yaml": strings.Replace(
		threeClusters["clusters/edge.yaml"], "size: 1", "size: 2", 1)})
	code, out, stderr = cli(t, "", args("apply", "--repo", dir, "--auto-approve")...)
	if code != 0 || !strings.Contains(stderr, "status: not written: --repo is a local directory") {
		t.Errorf("apply from a directory: exit %d\n%s\n%s", code, out, stderr)
	}
}

func liveNamed(t *testing.T, name string) cloud.Cluster {
	t.Helper()
	for _, c := range live(t).Clusters {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no live cluster %s", name)
	return cloud.Cluster{}
}

// A committer cannot take another repository's clusters by declaring its identity: team B's
// cluster (owned by team-b) named in team A's repository together with owner: team-b is refused
// before anything is planned or applied, saying how the operator would choose that identity.
func TestAcceptanceCommittedOwnerCannotTakeAnotherRepositorysClusters(t *testing.T) {
	startEmulator(t)
	gs := gittest.NewHTTPServer(t, "")
	gittest.NewBareRepo(t, gs.Root, "team-b.git")
	b := gittest.Clone(t, gs.RepoURL("team-b.git"))
	b.Write(t, map[string]string{"reconciler.yaml": strings.Replace(teamASettings, "team-a", "team-b", 1) + "prune: true\n",
		"clusters/edge.yaml": threeClusters["clusters/edge.yaml"]})
	b.CommitAndPush(t, "team b's edge", 3)
	if code, out, stderr := cli(t, "", args("apply", "--repo", gs.RepoURL("team-b.git"), "--owner", "team-b", "--auto-approve")...); code != 0 {
		t.Fatalf("team b's apply: exit %d\n%s\n%s", code, out, stderr)
	}
	edge := liveNamed(t, "edge")

	// Team A's repository: the same cluster, resized, and owner: team-b.
	gittest.NewBareRepo(t, gs.Root, "team-a.git")
	a := gittest.Clone(t, gs.RepoURL("team-a.git"))
	a.Write(t, map[string]string{"reconciler.yaml": strings.Replace(teamASettings, "team-a", "team-b", 1) + "prune: true\n",
		"clusters/edge.yaml": strings.Replace(threeClusters["clusters/edge.yaml"], "size: 1", "size: 3", 1)})
	a.CommitAndPush(t, "take edge", 3)
	for _, cmd := range [][]string{
		{"plan", "--repo", gs.RepoURL("team-a.git"), "-o", "json"},
		{"apply", "--repo", gs.RepoURL("team-a.git"), "--auto-approve"},
	} {
		code, out, stderr := cli(t, "", args(cmd...)...)
		if code != 1 || !strings.Contains(stderr, `owner: "team-b" is not this reconciler's identity "repo-`) || !strings.Contains(stderr, "--owner team-b") {
			t.Errorf("%s from team A's repository: exit %d, want 1 naming the mismatch and --owner\n%s\n%s", cmd[0], code, out, stderr)
		}
		if strings.TrimSpace(out) != "" {
			t.Errorf("%s printed a plan: %s", cmd[0], out)
		}
	}
	after := liveNamed(t, "edge")
	if after.ID != edge.ID || !after.OwnedBy("team-b") || len(after.Pools) != len(edge.Pools) || after.Pools[0].Size != edge.Pools[0].Size {
		t.Errorf("team b's cluster changed: %+v, was %+v", after, edge)
	}
	// Without owner:, team A's identity is its own: the cluster is not its to change.
	a.Write(t, map[string]string{"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\n"})
	a.CommitAndPush(t, "no owner", 3)
	code, out, stderr := cli(t, "", args("apply", "--repo", gs.RepoURL("team-a.git"), "--auto-approve", "-o", "json")...)
	if code != 0 {
		t.Fatalf("team A without owner: exit %d\n%s\n%s", code, out, stderr)
	}
	if after := liveNamed(t, "edge"); after.Pools[0].Size != edge.Pools[0].Size || !after.OwnedBy("team-b") {
		t.Errorf("team A changed team b's cluster: %+v", after)
	}
	// An --owner that cannot be a tag value is refused before any I/O.
	if code, _, stderr := cli(t, "", args("plan", "--repo", gs.RepoURL("team-a.git"), "--owner", "Team B")...); code != 1 || !strings.Contains(stderr, `--owner "Team B"`) {
		t.Errorf("plan --owner 'Team B': exit %d\n%s", code, stderr)
	}
}
