package forge_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/scaleway-gitops/reconciler/pkg/forge"
)

const token = "ghp-s3cr3t-t0ken"

// fakeGitHub serves the REST calls a preview makes, in GitHub's shape, and
// records every request.
type fakeGitHub struct {
	mu       sync.Mutex
	comments []fakeComment
	statuses []map[string]string
	requests []string // "METHOD path?query"
	auths    []string
	nextID   int64
}

type fakeComment struct {
	ID    int64  `json:"id"`
	Body  string `json:"body"`
	URL   string `json:"html_url"`
	Login string `json:"-"`
}

func (f *fakeGitHub) start(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"login": "preview-bot"})
	})
	mux.HandleFunc("GET /repos/acme/fleet/issues/{n}/comments", func(w http.ResponseWriter, r *http.Request) {
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if per == 0 || per > 100 {
			per = 30
		}
		page = max(page, 1)
		var out []map[string]any
		for i := (page - 1) * per; i < min(page*per, len(f.comments)); i++ {
			c := f.comments[i]
			out = append(out, map[string]any{"id": c.ID, "body": c.Body, "html_url": c.URL, "user": map[string]string{"login": c.Login}})
		}
		if out == nil {
			out = []map[string]any{}
		}
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("POST /repos/acme/fleet/issues/{n}/comments", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Body string }
		json.NewDecoder(r.Body).Decode(&in)
		if utf8.RuneCountInString(in.Body) > forge.GitHubLimit {
			w.WriteHeader(422)
			fmt.Fprint(w, `{"message":"Validation Failed: body is too long (maximum is 65536 characters)"}`)
			return
		}
		f.nextID++
		c := fakeComment{ID: f.nextID, Body: in.Body, URL: fmt.Sprintf("https://github.test/acme/fleet/pull/%s#issuecomment-%d", r.PathValue("n"), f.nextID), Login: "preview-bot"}
		f.comments = append(f.comments, c)
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(c)
	})
	mux.HandleFunc("PATCH /repos/acme/fleet/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Body string }
		json.NewDecoder(r.Body).Decode(&in)
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		for i := range f.comments {
			if f.comments[i].ID == id {
				f.comments[i].Body = in.Body
				json.NewEncoder(w).Encode(f.comments[i])
				return
			}
		}
		w.WriteHeader(404)
	})
	mux.HandleFunc("POST /repos/acme/fleet/statuses/{sha}", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		in["sha"] = r.PathValue("sha")
		f.statuses = append(f.statuses, in)
		w.WriteHeader(201)
		fmt.Fprint(w, `{}`)
	})
	mux.HandleFunc("/repos/other/denied/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		fmt.Fprintf(w, `{"message":"Bad credentials: %s"}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newGitHub(t *testing.T, url, repo string) forge.Forge {
	t.Helper()
	f, err := forge.New(forge.KindGitHub, forge.Options{URL: url, Repo: repo, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const marker = "<!-- reconciler-preview -->"

func TestGitHubUpsertCommentEditsItsOwnComment(t *testing.T) {
	fake := &fakeGitHub{}
	srv := fake.start(t)
	// 150 comments by others first (two pages), one of them quoting the marker
	for i := range 150 {
		fake.nextID++
		body := "lgtm"
		if i == 3 {
			body = "quoting " + marker
		}
		fake.comments = append(fake.comments, fakeComment{ID: fake.nextID, Body: body, Login: "alice"})
	}
	gh := newGitHub(t, srv.URL, "acme/fleet")
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
	var ours []fakeComment
	for _, c := range fake.comments {
		if c.Login == "preview-bot" {
			ours = append(ours, c)
		}
	}
	if len(ours) != 1 || ours[0].Body != marker+"\nplan two" {
		t.Errorf("bot comments = %+v, want exactly one with the marker and the second body", ours)
	}
	if fake.comments[3].Body != "quoting "+marker {
		t.Errorf("someone else's comment with the marker was edited: %q", fake.comments[3].Body)
	}
	if !slices.Contains(fake.requests, "GET /repos/acme/fleet/issues/7/comments?page=2&per_page=100") {
		t.Errorf("second page never read: %v", fake.requests)
	}
	for _, a := range fake.auths {
		if a != "Bearer "+token {
			t.Errorf("Authorization = %q, want the bearer token", a)
		}
	}
}

func TestGitHubCommentLimit(t *testing.T) {
	fake := &fakeGitHub{}
	srv := fake.start(t)
	gh := newGitHub(t, srv.URL, "acme/fleet")
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
	body := fake.comments[0].Body
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
	fake := &fakeGitHub{}
	srv := fake.start(t)
	gh := newGitHub(t, srv.URL, "acme/fleet")
	long := strings.Repeat("x", 300)
	if err := gh.SetStatus(context.Background(), "abc123", forge.Failure, "reconciler/preview", long, "https://ci.test/1"); err != nil {
		t.Fatal(err)
	}
	if len(fake.statuses) != 1 {
		t.Fatalf("statuses = %v", fake.statuses)
	}
	s := fake.statuses[0]
	if s["sha"] != "abc123" || s["state"] != "failure" || s["context"] != "reconciler/preview" || s["target_url"] != "https://ci.test/1" {
		t.Errorf("status = %v", s)
	}
	if n := utf8.RuneCountInString(s["description"]); n != 140 {
		t.Errorf("description has %d characters, want 140 (GitHub's limit)", n)
	}
}

func TestGitHubErrorsNeverCarryTheToken(t *testing.T) {
	fake := &fakeGitHub{}
	srv := fake.start(t)
	gh := newGitHub(t, srv.URL, "other/denied")
	err := gh.SetStatus(context.Background(), "abc", forge.Success, "c", "d", "")
	var apiErr *forge.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 {
		t.Fatalf("err = %v, want a 403 APIError", err)
	}
	if strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "Bad credentials") {
		t.Errorf("error text = %q: want the server's message without the token", err)
	}
	if _, err := forge.New(forge.KindGitHub, forge.Options{Repo: "nope"}); err == nil {
		t.Error("a repository without owner accepted")
	}
	if _, err := forge.New("gitlab", forge.Options{Repo: "a/b"}); err == nil {
		t.Error("an unknown forge kind accepted")
	}
}
