package forgetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Pull is one stored pull request.
type Pull struct {
	Number      int
	Head, Base  string
	Title, Body string
	State       string // open | closed
	Edits       int
}

// pullRoutes serves GET /repos/o/r (clone_url) and the pulls endpoints a lifecycle PR uses:
// list (state, per_page, page), create (422 when an open one has the same head, as GitHub
// does), and edit (title, body, state).
func (f *GitHub) pullRoutes(mux *http.ServeMux, base string) {
	mux.HandleFunc("GET "+base, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"clone_url": f.CloneURL, "full_name": f.Owner + "/" + f.Repo})
	})
	mux.HandleFunc("GET "+base+"/pulls", func(w http.ResponseWriter, r *http.Request) {
		state := r.URL.Query().Get("state")
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if per <= 0 || per > 100 {
			per = 30
		}
		page = max(page, 1)
		var in []Pull
		for _, p := range f.pulls {
			if state == "" || state == "all" || p.State == state {
				in = append(in, p)
			}
		}
		out := []map[string]any{}
		for i := (page - 1) * per; i < min(page*per, len(in)); i++ {
			out = append(out, f.wirePull(in[i]))
		}
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("POST "+base+"/pulls", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Head, Base, Title, Body string }
		json.NewDecoder(r.Body).Decode(&in)
		for _, p := range f.pulls {
			if p.Head == in.Head && p.State == "open" {
				w.WriteHeader(422)
				fmt.Fprintf(w, `{"message":"Validation Failed: A pull request already exists for %s:%s."}`, f.Owner, in.Head)
				return
			}
		}
		p := Pull{Number: len(f.pulls) + 1, Head: in.Head, Base: in.Base, Title: in.Title, Body: in.Body, State: "open"}
		f.pulls = append(f.pulls, p)
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(f.wirePull(p))
	})
	mux.HandleFunc("PATCH "+base+"/pulls/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n < 1 || n > len(f.pulls) {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"message":"Not Found"}`)
			return
		}
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		p := &f.pulls[n-1]
		if v, ok := in["title"]; ok {
			p.Title = v
		}
		if v, ok := in["body"]; ok {
			p.Body = v
		}
		if v, ok := in["state"]; ok {
			p.State = v
		}
		p.Edits++
		json.NewEncoder(w).Encode(f.wirePull(*p))
	})
}

func (f *GitHub) wirePull(p Pull) map[string]any {
	return map[string]any{"number": p.Number, "title": p.Title, "body": p.Body, "state": p.State,
		"html_url": fmt.Sprintf("https://github.test/%s/%s/pull/%d", f.Owner, f.Repo, p.Number),
		"head":     map[string]string{"ref": p.Head}, "base": map[string]string{"ref": p.Base}}
}

// Pulls returns the stored pull requests, by number.
func (f *GitHub) Pulls() []Pull {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Pull(nil), f.pulls...)
}
