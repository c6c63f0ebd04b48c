package forge_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/forge"
	"github.com/scaleway-gitops/reconciler/pkg/forge/forgetest"
	"github.com/scaleway-gitops/reconciler/pkg/forge/giteatest"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

const specV1 = "# prod\nspec:\n  version: \"1.35\" # pinned\n"

// pullFlow pushes a branch and opens its pull request twice with the same content (nothing
// pushed, nothing edited), then with a new content (force-pushed, the same pull request edited),
// and returns the pull requests it saw.
func pullFlow(t *testing.T, prs forge.PullRequests, head func(branch string) string, moveBase func(t *testing.T)) {
	t.Helper()
	ctx := context.Background()
	bc := forge.BranchCommit{Base: "main", Branch: "reconciler/eol/prod", Message: "bump prod to 1.36",
		Files: map[string][]byte{"clusters/prod.yaml": []byte(strings.Replace(specV1, "1.35", "1.36", 1))}}
	p1, err := prs.PushBranch(ctx, bc)
	if err != nil || !p1.Pushed {
		t.Fatalf("first push: %+v, %v", p1, err)
	}
	if got := head("reconciler/eol/prod"); got != p1.Head {
		t.Fatalf("branch head = %s, want %s", got, p1.Head)
	}
	pr := forge.PullRequest{Head: bc.Branch, Base: "main", Title: "Upgrade prod to 1.36", Body: "preview one"}
	o1, err := prs.UpsertPull(ctx, pr)
	if err != nil || !o1.Created || o1.Number == 0 {
		t.Fatalf("first upsert: %+v, %v", o1, err)
	}
	p2, err := prs.PushBranch(ctx, bc)
	if err != nil || p2.Pushed || p2.Head != p1.Head {
		t.Errorf("same content again: %+v, %v; want nothing pushed, head %s", p2, err, p1.Head)
	}
	o2, err := prs.UpsertPull(ctx, pr)
	if err != nil || o2.Created || o2.Number != o1.Number {
		t.Errorf("same pull again: %+v, %v; want #%d untouched", o2, err, o1.Number)
	}
	bc.Files["clusters/prod.yaml"] = []byte(strings.Replace(specV1, "1.35", "1.36.5", 1))
	p3, err := prs.PushBranch(ctx, bc)
	if err != nil || !p3.Pushed || p3.Head == p1.Head {
		t.Fatalf("changed content: %+v, %v; want a new forced head", p3, err)
	}
	pr.Body = "preview two"
	o3, err := prs.UpsertPull(ctx, pr)
	if err != nil || o3.Created || o3.Number != o1.Number || o3.Body != "preview two" {
		t.Errorf("changed pull: %+v, %v; want #%d edited", o3, err, o1.Number)
	}
	// The base moves outside the change (status/ only): with Unchanged, the branch stays.
	moveBase(t)
	bc.Unchanged = []string{"status"}
	if p4, err := prs.PushBranch(ctx, bc); err != nil || p4.Pushed || p4.Head != p3.Head {
		t.Errorf("base moved only in status/: %+v, %v; want the branch kept at %s", p4, err, p3.Head)
	}
	open, err := prs.OpenPull(ctx, bc.Branch)
	if err != nil || open == nil || open.Number != o1.Number {
		t.Fatalf("open pull = %+v, %v", open, err)
	}
	if err := prs.ClosePull(ctx, open.Number, "no longer needed"); err != nil {
		t.Fatalf("close: %v", err)
	}
	if open, err := prs.OpenPull(ctx, bc.Branch); err != nil || open != nil {
		t.Errorf("after close: open pull = %+v, %v", open, err)
	}
}

func TestGitHubPullRequests(t *testing.T) {
	gs := gittest.NewHTTPServer(t, token)
	bare := gittest.NewBareRepo(t, gs.Root, "fleet.git")
	gittest.Seed(t, bare, map[string]string{"clusters/prod.yaml": specV1, "README.md": "x"}, "init")
	fake := forgetest.NewGitHub(t, "acme", "fleet", "bot")
	fake.CloneURL = gs.RepoURL("fleet.git")
	prs, err := forge.NewPullRequests(forge.KindGitHub, forge.Options{URL: fake.URL, Repo: "acme/fleet", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	pullFlow(t, prs, func(b string) string { return gittest.Head(t, bare, b) }, func(t *testing.T) {
		gittest.Seed(t, bare, map[string]string{"status/prod.yaml": "ready"}, "status")
	})
	pulls := fake.Pulls()
	if len(pulls) != 1 || pulls[0].State != "closed" || pulls[0].Body != "preview two" || pulls[0].Edits != 2 {
		t.Errorf("pull requests = %+v, want one, edited once then closed", pulls)
	}
	if got := gittest.Show(t, bare, "reconciler/eol/prod", "clusters/prod.yaml"); got != strings.TrimSpace(strings.Replace(specV1, "1.35", "1.36.5", 1)) {
		t.Errorf("branch file = %q", got)
	}
	if got := gittest.Show(t, bare, "reconciler/eol/prod", "README.md"); got != "x" {
		t.Errorf("other files not kept: README.md = %q", got)
	}
	log := gittest.Log(t, bare, "reconciler/eol/prod")
	if len(log) != 2 || log[1].Subject != "init" {
		t.Errorf("branch history = %+v, want one commit over main", log)
	}
}

func TestGiteaPullRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Gitea server")
	}
	g := giteatest.Start(t)
	g.API(t, "POST", "/user/repos", map[string]any{"name": "fleet", "auto_init": true, "default_branch": "main"}, nil)
	g.API(t, "POST", "/repos/"+g.Admin+"/fleet/contents/clusters/prod.yaml", map[string]any{
		"content": b64(specV1), "message": "add prod", "branch": "main"}, nil)
	prs, err := forge.NewPullRequests(forge.KindGitea, forge.Options{URL: g.URL, Repo: g.Admin + "/fleet", Token: g.Token})
	if err != nil {
		t.Fatal(err)
	}
	head := func(b string) string {
		var br struct {
			Commit struct {
				ID string `json:"id"`
			} `json:"commit"`
		}
		g.API(t, "GET", "/repos/"+g.Admin+"/fleet/branches/"+strings.ReplaceAll(b, "/", "%2F"), nil, &br)
		return br.Commit.ID
	}
	pullFlow(t, prs, head, func(t *testing.T) {
		g.API(t, "POST", "/repos/"+g.Admin+"/fleet/contents/status/prod.yaml", map[string]any{
			"content": b64("ready"), "message": "status", "branch": "main"}, nil)
	})
	var all []struct {
		Number int    `json:"number"`
		State  string `json:"state"`
		Body   string `json:"body"`
	}
	g.API(t, "GET", "/repos/"+g.Admin+"/fleet/pulls?state=all", nil, &all)
	if len(all) != 1 || all[0].State != "closed" || all[0].Body != "preview two" {
		t.Errorf("pull requests on Gitea = %+v, want one, closed, with the second body", all)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
