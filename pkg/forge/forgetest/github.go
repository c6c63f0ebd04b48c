package forgetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// CommentLimit is GitHub's comment size limit; the fake refuses longer bodies with 422.
const CommentLimit = 65536

// GitHub serves repository Owner/Repo; the token's user is Login.
type GitHub struct {
	Owner, Repo, Login string
	URL                string

	mu       sync.Mutex
	comments []Comment
	statuses []Status
	requests []string
	auths    []string
	nextID   int64
	pulls    []Pull
	// CloneURL is returned as the repository's clone_url (a gittest server in tests that push).
	CloneURL string
}

// Comment is one stored issue comment.
type Comment struct {
	ID    int64
	PR    int
	Body  string
	Login string
	Edits int
}

// Status is one commit status posted.
type Status struct {
	SHA, State, Context, Description, TargetURL string
}

// NewGitHub starts the fake; it stops on test cleanup.
func NewGitHub(t testing.TB, owner, repo, login string) *GitHub {
	f := &GitHub{Owner: owner, Repo: repo, Login: login}
	mux := http.NewServeMux()
	base := "/repos/" + owner + "/" + repo
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"login": f.Login})
	})
	mux.HandleFunc("GET "+base+"/issues/{n}/comments", func(w http.ResponseWriter, r *http.Request) {
		pr, _ := strconv.Atoi(r.PathValue("n"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if per <= 0 || per > 100 {
			per = 30
		}
		page = max(page, 1)
		var on []Comment
		for _, c := range f.comments {
			if c.PR == pr {
				on = append(on, c)
			}
		}
		out := []map[string]any{}
		for i := (page - 1) * per; i < min(page*per, len(on)); i++ {
			out = append(out, f.wire(on[i]))
		}
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("POST "+base+"/issues/{n}/comments", func(w http.ResponseWriter, r *http.Request) {
		pr, _ := strconv.Atoi(r.PathValue("n"))
		var in struct{ Body string }
		json.NewDecoder(r.Body).Decode(&in)
		if utf8.RuneCountInString(in.Body) > CommentLimit {
			w.WriteHeader(422)
			fmt.Fprint(w, `{"message":"Validation Failed: body is too long (maximum is 65536 characters)"}`)
			return
		}
		f.nextID++
		c := Comment{ID: f.nextID, PR: pr, Body: in.Body, Login: f.Login}
		f.comments = append(f.comments, c)
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(f.wire(c))
	})
	mux.HandleFunc("PATCH "+base+"/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Body string }
		json.NewDecoder(r.Body).Decode(&in)
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		for i := range f.comments {
			if f.comments[i].ID == id {
				if utf8.RuneCountInString(in.Body) > CommentLimit {
					w.WriteHeader(422)
					return
				}
				f.comments[i].Body = in.Body
				f.comments[i].Edits++
				json.NewEncoder(w).Encode(f.wire(f.comments[i]))
				return
			}
		}
		w.WriteHeader(404)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	})
	mux.HandleFunc("POST "+base+"/statuses/{sha}", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		f.statuses = append(f.statuses, Status{SHA: r.PathValue("sha"), State: in["state"], Context: in["context"],
			Description: in["description"], TargetURL: in["target_url"]})
		w.WriteHeader(201)
		fmt.Fprint(w, `{}`)
	})
	f.pullRoutes(mux, base)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"message":"Requires authentication"}`)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *GitHub) wire(c Comment) map[string]any {
	return map[string]any{"id": c.ID, "body": c.Body, "user": map[string]string{"login": c.Login},
		"html_url": fmt.Sprintf("https://github.test/%s/%s/pull/%d#issuecomment-%d", f.Owner, f.Repo, c.PR, c.ID)}
}

// AddComment stores a comment by login on pr, as if someone else wrote it.
func (f *GitHub) AddComment(pr int, login, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.comments = append(f.comments, Comment{ID: f.nextID, PR: pr, Body: body, Login: login})
}

// Comments returns the stored comments, oldest first.
func (f *GitHub) Comments() []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Comment(nil), f.comments...)
}

// Statuses returns the posted commit statuses, in order.
func (f *GitHub) Statuses() []Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Status(nil), f.statuses...)
}

// Requests returns "METHOD /path?query" of every request, in order.
func (f *GitHub) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// Auths returns the Authorization header of every request, in order.
func (f *GitHub) Auths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}
