package main

import (
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// TestPlanFromGitURL plans straight from a git remote over smart HTTP (token auth), at a branch.
func TestPlanFromGitURL(t *testing.T) {
	gs, _, rev := edgeOverHTTP(t, "tok-123")
	code, out, stderr := cli(t, "", "plan", "--repo", gs.RepoURL("fleet.git"), "--ref", "main", "-o", "json", "--detailed-exitcode")
	if code != 2 || !strings.Contains(out, `"revision": "`+rev+`"`) || !strings.Contains(out, `"create-cluster"`) {
		t.Fatalf("plan from git: exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
	}
	code, _, stderr = cli(t, "", "plan", "--repo", gs.RepoURL("fleet.git"), "--ref", "no-such-branch")
	if code != 1 || !strings.Contains(stderr, "no-such-branch") {
		t.Errorf("unknown branch: exit %d, stderr %q", code, stderr)
	}
	if strings.Contains(stderr, "tok-123") {
		t.Error("the token leaked into an error")
	}
}

func TestLooksRemote(t *testing.T) {
	for repo, want := range map[string]bool{
		"https://git.example.com/fleet.git": true, "ssh://git@host/fleet.git": true, "file:///srv/fleet.git": true,
		"git@github.com:org/fleet.git": true, ".": false, "./fleet": false, "/srv/fleet": false, "dir/a@b:c": false,
	} {
		if got := looksRemote(repo); got != want {
			t.Errorf("looksRemote(%q) = %v, want %v", repo, got, want)
		}
	}
}

// A branch or a repository that does not exist is said with the flag to change, once ("fetch:
// fetch \"nope\" from …: source: branch not found" named neither), for plan and preview alike.
func TestUnknownRefOrRepositorySaysWhatToDo(t *testing.T) {
	gs, _, _ := edgeOverHTTP(t, "tok-123")
	url := gs.RepoURL("fleet.git")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--repo", url, "--ref", "nope"}, `Error: --ref nope: no branch "nope" in ` + url + " (hint: pass an existing branch"},
		{[]string{"apply", "--repo", url, "--ref", "nope"}, `Error: --ref nope: no branch "nope" in ` + url},
		{[]string{"preview", "--repo", url, "--head", "nope"}, `Error: --head nope: no branch "nope" in ` + url},
		{[]string{"preview", "--repo", url, "--head", "main", "--base", "nope"}, `Error: --base nope: no branch "nope" in ` + url},
		{[]string{"plan", "--repo", gs.RepoURL("nothere.git")}, "Error: --repo " + gs.RepoURL("nothere.git") + ": repository not found (hint: check the URL"},
	} {
		code, stdout, stderr := cli(t, "", tc.args...)
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, tc.want) || strings.Contains(stderr, "source:") ||
			strings.Contains(stderr, "fetch: fetch") || strings.Contains(stderr, "tok-123") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q…", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// A local --repo that does not exist, or holds no git repository where one is needed, is said
// as validate says it, without a git URL's hint ("repository: stat /x: no such file or
// directory"; preview's "repository not found (hint: check the URL; … GIT_TOKEN …)").
func TestMissingLocalRepository(t *testing.T) {
	setSCWEnv(t, "http://127.0.0.1:1") // credentials set: the repository is what is refused
	missing, plain := t.TempDir()+"/nothere", t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--repo", missing}, "Error: --repo " + missing + " is not a directory"},
		{[]string{"apply", "--repo", missing}, "Error: --repo " + missing + " is not a directory"},
		{[]string{"validate", "--repo", missing}, "Error: --repo " + missing + " is not a directory"},
		{[]string{"preview", "--repo", missing, "--head", "x"}, "Error: --repo " + missing + " is not a directory"},
		{[]string{"plan", "--repo", plain, "--ref", "main"}, "Error: --repo " + plain + ": not a git repository (hint: --ref and preview read a git repository"},
		{[]string{"preview", "--repo", plain, "--head", "x"}, "Error: --repo " + plain + ": not a git repository"},
	} {
		code, stdout, stderr := cli(t, "", tc.args...)
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, tc.want) || strings.Contains(stderr, "GIT_TOKEN") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q…", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// apply's status commit of a spec change says the apply did it: the pool update that follows an
// edited spec is no drift (the subject said "drift reverted"; apply cannot tell the two apart,
// run tells them by the revision).
func TestApplyStatusCommitOfASpecChangeIsNoDriftRevert(t *testing.T) {
	gs, bare, _ := edgeOverHTTP(t, "tok-9")
	url := gs.RepoURL("fleet.git")
	if code, _, stderr := cli(t, "", args("apply", "--repo", url, "--ref", "main", "--auto-approve")...); code != 0 {
		t.Fatalf("first apply: exit %d, stderr %s", code, stderr)
	}
	u := gittest.Clone(t, gs.RepoURLWithAuth("fleet.git", "u", "tok-9"))
	u.Write(t, map[string]string{"clusters/edge.yaml": strings.Replace(threeClusters["clusters/edge.yaml"], "size: 1", "size: 2", 1)})
	u.CommitAndPush(t, "edge: two nodes", 3)
	code, _, stderr := cli(t, "", args("apply", "--repo", url, "--ref", "main", "--auto-approve")...)
	if code != 0 || !strings.Contains(stderr, "edge/update-pool/core: done") {
		t.Fatalf("apply of the change: exit %d, stderr %s", code, stderr)
	}
	subj := gittest.Log(t, bare, "main")[0].Subject
	if !strings.HasPrefix(subj, "status: edge @ ") || !strings.HasSuffix(subj, "(reconciler apply)") {
		t.Errorf("status commit %q, want status: edge @ … (reconciler apply)", subj)
	}
}
