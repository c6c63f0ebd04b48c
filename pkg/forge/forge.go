package forge

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Forge is what a preview needs from a code forge.
type Forge interface {
	// UpsertComment writes body (the marker is added when body lacks it) as the
	// pull request's preview comment: it edits the previous one that carries
	// marker, else creates it.
	UpsertComment(ctx context.Context, pr int, marker, body string) (Comment, error)
	// SetStatus sets the commit status named context on sha.
	SetStatus(ctx context.Context, sha string, state State, context, description, targetURL string) error
}

// Comment is the comment UpsertComment wrote.
type Comment struct {
	ID      int64
	URL     string
	Created bool // false: an existing comment was edited
}

// State is a commit status state (the values both forges accept).
type State string

// Commit status states.
const (
	Pending State = "pending"
	Success State = "success"
	Failure State = "failure"
	Error   State = "error"
)

// Kinds of forge New knows.
const (
	KindGitea  = "gitea"
	KindGitHub = "github"
)

// Options configure a forge client.
type Options struct {
	// URL is the forge's base URL: Gitea's root (https://gitea.example.com; the API
	// is under /api/v1), or GitHub's API root (default https://api.github.com;
	// GitHub Enterprise: https://host/api/v3).
	URL string
	// Repo is "owner/name".
	Repo  string
	Token string
	// Client defaults to a client with a 30 s timeout.
	Client *http.Client
}

// New returns the client for kind (gitea or github).
func New(kind string, o Options) (Forge, error) {
	owner, name, ok := strings.Cut(o.Repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("forge: repository %q is not owner/name", o.Repo)
	}
	switch kind {
	case KindGitea:
		if o.URL == "" {
			return nil, fmt.Errorf("forge: gitea needs its URL")
		}
		return newGitea(o, owner, name), nil
	case KindGitHub:
		return newGitHub(o, owner, name), nil
	}
	return nil, fmt.Errorf("forge: unknown kind %q: use gitea or github", kind)
}

// withMarker returns body with marker on its first line unless it already holds it.
func withMarker(marker, body string) string {
	if marker == "" || strings.Contains(body, marker) {
		return body
	}
	return marker + "\n" + body
}

// shorten cuts s to n runes (status descriptions: GitHub takes 140).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
