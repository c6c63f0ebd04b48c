package lifecycle

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// DefaultTokenEnv is the environment variable read for the forge token by default.
const DefaultTokenEnv = "RECONCILER_FORGE_TOKEN"

// Config is lifecycle.pullRequests of reconciler.yaml resolved against where the repository is
// read from.
type Config struct {
	Enabled bool
	// Explicit is true when reconciler.yaml has a lifecycle.pullRequests section: without one, a
	// missing token turns the pull requests off quietly instead of being an error.
	Explicit bool
	// Off says why Enabled is false ("" when enabled).
	Off                   string
	DaysBeforeDeprecation int
	Forge, URL, Repo      string
	BaseBranch            string
	TokenEnv, TokenFile   string
}

// Resolve fills the defaults of s from the repository's URL and branch: github.com repositories
// are GitHub (owner/name from the path); a Gitea forge needs its url, and its repo defaults to
// the repository URL's path when that URL is on the same host. A forge that stays unknown turns
// the pull requests off, as does enabled: false.
func Resolve(s *spec.Settings, repoURL, branch string) Config {
	var p spec.PullRequestSettings
	explicit := s != nil && s.Lifecycle != nil && s.Lifecycle.PullRequests != nil
	if explicit {
		p = *s.Lifecycle.PullRequests
	}
	c := Config{Explicit: explicit, Forge: p.Forge, URL: p.URL, Repo: p.Repo, BaseBranch: cmp.Or(p.BaseBranch, branch),
		TokenEnv: cmp.Or(p.TokenEnv, DefaultTokenEnv), TokenFile: p.TokenFile, DaysBeforeDeprecation: DefaultDaysBeforeDeprecation}
	if p.DaysBeforeDeprecation != nil {
		c.DaysBeforeDeprecation = *p.DaysBeforeDeprecation
	}
	host, path := splitRepoURL(repoURL)
	if c.Forge == "" && host == "github.com" {
		c.Forge = spec.ForgeGitHub
	}
	derived := "" // owner/name of the repository the specs are read from, when the forge serves it
	if c.Forge == spec.ForgeGitHub && host == "github.com" {
		derived = path
	}
	if u, err := url.Parse(c.URL); err == nil && c.URL != "" && u.Host == host {
		derived = strings.TrimPrefix(strings.TrimPrefix(path, strings.Trim(u.Path, "/")), "/")
	}
	c.Repo = cmp.Or(c.Repo, derived)
	switch {
	case p.Enabled != nil && !*p.Enabled:
		c.Off = "lifecycle.pullRequests.enabled is false"
	case c.Forge == "":
		c.Off = "the forge is unknown: set lifecycle.pullRequests.forge (gitea or github) in reconciler.yaml"
	case c.Forge == spec.ForgeGitea && c.URL == "":
		c.Off = "lifecycle.pullRequests.url is required for gitea"
	case c.Repo == "":
		c.Off = "the repository is unknown: set lifecycle.pullRequests.repo (owner/name) in reconciler.yaml"
	case c.BaseBranch == "":
		c.Off = "the base branch is unknown: set lifecycle.pullRequests.baseBranch in reconciler.yaml"
	case derived != "" && !strings.EqualFold(c.Repo, derived):
		c.Off = fmt.Sprintf("lifecycle.pullRequests.repo %s is not the repository the specs are read from (%s): the forge token is used only for that one", c.Repo, derived)
	case c.URL != "" && !sameForgeHost(c.URL, host):
		c.Off = fmt.Sprintf("lifecycle.pullRequests.url %s is not on the host the specs are read from (%s): the forge token is sent only there",
			c.URL, cmp.Or(hostname(host), "a local repository"))
	}
	c.Enabled = c.Off == ""
	return c
}

// splitRepoURL is the host and the owner/name path of an http(s) or scp-like git URL.
func splitRepoURL(raw string) (host, path string) {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		host, path = u.Host, u.Path
	} else if at := strings.Index(raw, "@"); at >= 0 {
		if h, p, ok := strings.Cut(raw[at+1:], ":"); ok {
			host, path = h, p
		}
	}
	return strings.ToLower(host), strings.TrimSuffix(strings.Trim(path, "/"), ".git")
}

// sameForgeHost reports whether the forge at forgeURL is on the repository's host (its API host
// may be api.<host>, as api.github.com for github.com; ports aside). reconciler.yaml is written by
// whoever can commit; the token is the operator's: it never goes to a host of the committer's
// choosing.
func sameForgeHost(forgeURL, repoHost string) bool {
	u, err := url.Parse(forgeURL)
	repo := hostname(repoHost)
	if err != nil || repo == "" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == repo || h == "api."+repo
}

// hostname is host without its port.
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return strings.Trim(h, "[]")
	}
	return strings.Trim(host, "[]")
}
