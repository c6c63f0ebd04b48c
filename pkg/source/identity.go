package source

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
)

// Identity is the default identity of the repository at rawURL, branch: the value of the owner
// tag on the clusters it owns (cloud.OwnerTag), unless reconciler.yaml names an owner. The same
// repository gives the same identity whatever the URL's form: scheme, user info, a trailing
// ".git" or "/" and the host's case are ignored, so https://host/org/repo and git@host:org/repo.git
// agree. It is "repo-" and 10 hex digits of a SHA-256 (no credentials leak into a tag).
func Identity(rawURL, branch string) string {
	sum := sha256.Sum256([]byte(canonicalRepo(rawURL) + "#" + branch))
	return "repo-" + hex.EncodeToString(sum[:5])
}

// canonicalRepo reduces a repository URL to host/path (or an absolute local path).
func canonicalRepo(raw string) string {
	s := strings.TrimSpace(raw)
	var host, p string
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Scheme != "file" && len(u.Scheme) > 1 {
		host, p = u.Host, u.Path
	} else if at, colon := strings.Index(s, "@"), strings.Index(s, ":"); !strings.Contains(s, "://") && at > 0 && colon > at {
		host, p = s[at+1:colon], s[colon+1:] // scp-like user@host:path
	} else {
		p = strings.TrimPrefix(s, "file://")
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
	}
	host = strings.ToLower(host)
	if h, port, ok := strings.Cut(host, ":"); ok && (port == "22" || port == "443" || port == "80") {
		host = h
	}
	p = strings.TrimSuffix(strings.TrimSuffix(p, "/"), ".git")
	p = strings.TrimPrefix(p, "/")
	if host == "" {
		return "/" + p
	}
	return host + "/" + p
}

// Identity is the repository's default identity (see the Identity function): its URL and the
// branch that holds the specs.
func (s *Source) Identity() string { return Identity(s.opts.URL, s.opts.Branch) }

// LocalIdentity is the default identity of the git working tree that holds dir: its "origin"
// remote and checked-out branch, as Identity would compute it for the loop reading that remote.
// It is "" when dir is not in a git repository, has no origin, or HEAD is detached (a pull
// request checkout): reconciler.yaml's owner: is then the only identity.
func LocalIdentity(dir string) string {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	rem, err := r.Remote("origin")
	if err != nil || len(rem.Config().URLs) == 0 {
		return ""
	}
	head, err := r.Head()
	if err != nil || !head.Name().IsBranch() {
		return ""
	}
	return Identity(rem.Config().URLs[0], head.Name().Short())
}
