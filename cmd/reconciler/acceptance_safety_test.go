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

	code, out, stderr := cli(t, "", args("apply", "--repo", gs.RepoURL("fleet.git"), "--auto-approve")...)
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
