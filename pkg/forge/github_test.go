package forge_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scaleway-gitops/reconciler/pkg/forge"
	"github.com/scaleway-gitops/reconciler/pkg/forge/forgetest"
)

const token = "ghp-s3cr3t-t0ken"

const marker = "<!-- reconciler-preview -->"

func newGitHub(t *testing.T, url, repo string) forge.Forge {
	t.Helper()
	f, err := forge.New(forge.KindGitHub, forge.Options{URL: url, Repo: repo, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestGitHubUpsertCommentEditsItsOwnComment(t *testing.T) {
	fake := forgetest.NewGitHub(t, "acme", "fleet", "preview-bot")
	// 150 comments by others first (two pages), one of them quoting the marker
	for i := range 150 {
		body := "lgtm"
		if i == 3 {
			body = "quoting " + marker
		}
		fake.AddComment(7, "alice", body)
	}
	fake.AddComment(8, "preview-bot", marker+"\nanother PR's preview")
	gh := newGitHub(t, fake.URL, "acme/fleet")
	ctx := context.Background()

	c1, err := gh.UpsertComment(ctx, 7, marker, "plan one")
	if err != nil {
		t.Fatalf("first upsert: %v", err)
	}
	if !c1.Created || !strings.Contains(c1.URL, "pull/7") {
		t.Errorf("first upsert = %+v, want a created comment on PR 7", c1)
	}
	c2, err := gh.UpsertComment(ctx, 7, marker, "plan two")
	if err != nil {
		t.Fatalf("second upsert: %v", err)
	}
	if c2.Created || c2.ID != c1.ID {
		t.Errorf("second upsert = %+v, want comment %d edited", c2, c1.ID)
	}
	var ours []forgetest.Comment
	for _, c := range fake.Comments() {
		if c.Login == "preview-bot" && c.PR == 7 {
			ours = append(ours, c)
		}
		if c.Login != "preview-bot" && c.Edits > 0 {
			t.Errorf("someone else's comment was edited: %+v", c)
		}
		if c.PR == 8 && c.Edits > 0 {
			t.Errorf("another pull request's preview was edited: %+v", c)
		}
	}
	if len(ours) != 1 || ours[0].Body != marker+"\nplan two" || ours[0].Edits != 1 {
		t.Errorf("bot comments on PR 7 = %+v, want exactly one, edited once, with the marker and the second body", ours)
	}
	if !slices.Contains(fake.Requests(), "GET /repos/acme/fleet/issues/7/comments?page=2&per_page=100") {
		t.Errorf("second page never read: %v", fake.Requests())
	}
	for _, a := range fake.Auths() {
		if a != "Bearer "+token {
			t.Errorf("Authorization = %q, want the bearer token", a)
		}
	}
}

func TestGitHubCommentLimit(t *testing.T) {
	fake := forgetest.NewGitHub(t, "acme", "fleet", "bot")
	gh := newGitHub(t, fake.URL, "acme/fleet")
	var b strings.Builder
	b.WriteString("### Plan\n\n")
	for i := 0; utf8.RuneCountInString(b.String()) < 3*forge.GitHubLimit; i++ {
		fmt.Fprintf(&b, "<details><summary>cluster %d é</summary>\n\n```diff\n", i)
		for j := range 40 {
			fmt.Fprintf(&b, "+ pool-%d: size 3 → 4 ü\n", j)
		}
		b.WriteString("```\n\n</details>\n\n")
	}
	if _, err := gh.UpsertComment(context.Background(), 1, marker, b.String()); err != nil {
		t.Fatalf("upsert of a long body: %v", err)
	}
	body := fake.Comments()[0].Body
	if n := utf8.RuneCountInString(body); n > forge.GitHubLimit || n < forge.GitHubLimit-2000 {
		t.Errorf("posted %d characters, want just under %d", n, forge.GitHubLimit)
	}
	fences := 0
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "```") {
			fences++
		}
	}
	if fences%2 != 0 {
		t.Errorf("unbalanced code fences: %d fence lines", fences)
	}
	if o, c := strings.Count(body, "<details>"), strings.Count(body, "</details>"); o != c {
		t.Errorf("<details> %d opened, %d closed", o, c)
	}
	if !strings.Contains(body, "Truncated") || !strings.HasPrefix(body, marker) {
		t.Errorf("truncated body lacks the marker or the notice: head %q tail %q", body[:60], body[len(body)-80:])
	}
}

func TestGitHubSetStatus(t *testing.T) {
	fake := forgetest.NewGitHub(t, "acme", "fleet", "bot")
	gh := newGitHub(t, fake.URL, "acme/fleet")
	long := strings.Repeat("x", 300)
	if err := gh.SetStatus(context.Background(), "abc123", forge.Failure, "reconciler/preview", long, "https://ci.test/1"); err != nil {
		t.Fatal(err)
	}
	st := fake.Statuses()
	if len(st) != 1 {
		t.Fatalf("statuses = %v", st)
	}
	s := st[0]
	if s.SHA != "abc123" || s.State != "failure" || s.Context != "reconciler/preview" || s.TargetURL != "https://ci.test/1" {
		t.Errorf("status = %+v", s)
	}
	if n := utf8.RuneCountInString(s.Description); n != 140 {
		t.Errorf("description has %d characters, want 140 (GitHub's limit)", n)
	}
}

func TestGitHubErrorsNeverCarryTheToken(t *testing.T) {
	fake := forgetest.NewGitHub(t, "acme", "fleet", "bot")
	gh := newGitHub(t, fake.URL, "other/denied") // not served: 404 with the server's message
	err := gh.SetStatus(context.Background(), "abc", forge.Success, "c", "d", "")
	var apiErr *forge.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("err = %v, want a 404 APIError", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error text carries the token: %q", err)
	}
	if _, err := forge.New(forge.KindGitHub, forge.Options{Repo: "nope"}); err == nil {
		t.Error("a repository without owner accepted")
	}
	if _, err := forge.New("gitlab", forge.Options{Repo: "a/b"}); err == nil {
		t.Error("an unknown forge kind accepted")
	}
	if _, err := forge.New(forge.KindGitea, forge.Options{Repo: "a/b"}); err == nil {
		t.Error("gitea without a URL accepted")
	}
}

func TestTruncateKeepsShortBodies(t *testing.T) {
	for _, s := range []string{"", "short", "```\nopen fence but short"} {
		if got := forge.Truncate(s, 100); got != s {
			t.Errorf("Truncate(%q) = %q, want it unchanged", s, got)
		}
	}
}
