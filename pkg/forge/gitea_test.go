package forge_test

import (
	"context"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/forge"
	"github.com/scaleway-gitops/reconciler/pkg/forge/giteatest"
)

// TestGiteaUpsertCommentAndStatus runs the Gitea client against a real Gitea:
// one comment per issue (edited, never duplicated), others' markers ignored,
// commit statuses readable back (Gitea names the state `status`).
func TestGiteaUpsertCommentAndStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Gitea server")
	}
	g := giteatest.Start(t)
	var repo struct {
		Name string `json:"name"`
	}
	g.API(t, "POST", "/user/repos", map[string]any{"name": "fleet", "auto_init": true, "default_branch": "main"}, &repo)
	var issue struct {
		Number int `json:"number"`
	}
	g.API(t, "POST", "/repos/"+g.Admin+"/fleet/issues", map[string]string{"title": "a change"}, &issue)
	var branch struct {
		Commit struct {
			ID string `json:"id"`
		} `json:"commit"`
	}
	g.API(t, "GET", "/repos/"+g.Admin+"/fleet/branches/main", nil, &branch)

	f, err := forge.New(forge.KindGitea, forge.Options{URL: g.URL, Repo: g.Admin + "/fleet", Token: g.Token})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c1, err := f.UpsertComment(ctx, issue.Number, marker, "first")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	c2, err := f.UpsertComment(ctx, issue.Number, marker, "second")
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	if !c1.Created || c2.Created || c1.ID != c2.ID || !strings.Contains(c2.URL, "/fleet/issues/") {
		t.Errorf("comments %+v then %+v: want one created, then the same edited", c1, c2)
	}
	cs := g.Comments(t, "fleet", issue.Number)
	if len(cs) != 1 || cs[0].Body != marker+"\nsecond" {
		t.Errorf("comments on the issue = %+v, want exactly one with the second body", cs)
	}

	if err := f.SetStatus(ctx, branch.Commit.ID, forge.Failure, "reconciler/preview", "2 spec errors", g.URL); err != nil {
		t.Fatalf("status: %v", err)
	}
	st := g.Statuses(t, "fleet", branch.Commit.ID)
	if len(st) != 1 || st[0].State != "failure" || st[0].Context != "reconciler/preview" || st[0].Description != "2 spec errors" {
		t.Errorf("statuses = %+v", st)
	}

	bad, _ := forge.New(forge.KindGitea, forge.Options{URL: g.URL, Repo: g.Admin + "/fleet", Token: "not-" + g.Token})
	_, err = bad.UpsertComment(ctx, issue.Number, marker, "x")
	if err == nil || strings.Contains(err.Error(), g.Token) {
		t.Errorf("a wrong token: err = %v (want a refusal without the token)", err)
	}
}
