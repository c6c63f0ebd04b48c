package lifecycle

import (
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// reconciler.yaml chooses the forge's url; the token is the operator's. It is used only for a
// forge on the host the specs are read from (api.<host> too, ports aside); any other url turns
// the pull requests off and says why.
func TestResolveSendsTheTokenOnlyToTheRepositorysHost(t *testing.T) {
	pr := func(forge, u string) *spec.Settings {
		return &spec.Settings{Lifecycle: &spec.LifecycleSettings{PullRequests: &spec.PullRequestSettings{Forge: forge, URL: u, Repo: "ops/fleet"}}}
	}
	for name, tc := range map[string]struct {
		s       *spec.Settings
		repoURL string
		enabled bool
	}{
		"gitea on the repository's host":    {pr("gitea", "https://git.example.com"), "https://git.example.com/ops/fleet.git", true},
		"another port of that host":         {pr("gitea", "http://127.0.0.1:3001"), "http://127.0.0.1:3000/ops/fleet.git", true},
		"ssh remote, same host":             {pr("gitea", "https://Git.Example.com/"), "ssh://git@git.example.com:2222/ops/fleet.git", true},
		"scp-like remote, same host":        {pr("gitea", "https://git.example.com"), "git@git.example.com:ops/fleet.git", true},
		"github's api host":                 {pr("github", "https://api.github.com"), "https://github.com/ops/fleet", true},
		"gitea elsewhere":                   {pr("gitea", "https://collector.example.net"), "https://git.example.com/ops/fleet.git", false},
		"github url elsewhere":              {pr("github", "https://collector.example.net/api/v3"), "https://github.com/ops/fleet", false},
		"a look-alike host":                 {pr("gitea", "https://git.example.com.evil.example"), "https://git.example.com/ops/fleet", false},
		"a local repository with a url":     {pr("gitea", "https://git.example.com"), "file:///srv/fleet.git", false},
		"github default api, no url at all": {pr("github", ""), "https://github.com/ops/fleet", true},
	} {
		c := Resolve(tc.s, tc.repoURL, "main")
		if c.Enabled != tc.enabled {
			t.Errorf("%s: enabled %v (off %q), want %v", name, c.Enabled, c.Off, tc.enabled)
		}
		if !tc.enabled && !strings.Contains(c.Off, "lifecycle.pullRequests.url") {
			t.Errorf("%s: off %q, want the reason naming lifecycle.pullRequests.url", name, c.Off)
		}
	}
}

// reconciler.yaml's repo: named another repository of the same forge: the loop listed, opened
// and closed lifecycle pull requests there with the operator's token. When the forge serves the
// repository the specs are read from, repo: may only name that one.
func TestResolveUsesTheTokenOnlyForTheRepositoryItReads(t *testing.T) {
	pr := func(forge, u, repo string) *spec.Settings {
		return &spec.Settings{Lifecycle: &spec.LifecycleSettings{PullRequests: &spec.PullRequestSettings{Forge: forge, URL: u, Repo: repo}}}
	}
	for name, tc := range map[string]struct {
		s       *spec.Settings
		repoURL string
		enabled bool
	}{
		"github, that repository":     {pr("github", "", "Ops/Fleet"), "https://github.com/ops/fleet.git", true},
		"github, another repository":  {pr("github", "", "ops/other"), "https://github.com/ops/fleet.git", false},
		"gitea, another repository":   {pr("gitea", "https://git.example.com", "ops/other"), "https://git.example.com/ops/fleet.git", false},
		"gitea, not derivable (ssh)":  {pr("gitea", "https://git.example.com", "ops/fleet"), "ssh://git@git.example.com:2222/ops/fleet.git", true},
		"gitea under a path, derived": {pr("gitea", "https://h/git/", ""), "https://h/git/ops/fleet", true},
	} {
		c := Resolve(tc.s, tc.repoURL, "main")
		if c.Enabled != tc.enabled {
			t.Errorf("%s: enabled %v (off %q), want %v", name, c.Enabled, c.Off, tc.enabled)
		}
		if !tc.enabled && !strings.Contains(c.Off, "lifecycle.pullRequests.repo ops/other") {
			t.Errorf("%s: off %q, want the reason naming lifecycle.pullRequests.repo", name, c.Off)
		}
	}
}
