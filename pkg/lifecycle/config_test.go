package lifecycle

import (
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func TestResolve(t *testing.T) {
	off, days := false, 45
	pr := func(p spec.PullRequestSettings) *spec.Settings {
		return &spec.Settings{Lifecycle: &spec.LifecycleSettings{PullRequests: &p}}
	}
	for name, tc := range map[string]struct {
		s                   *spec.Settings
		url                 string
		enabled             bool
		forge, repo, branch string
		days                int
	}{
		"github detected":     {nil, "https://github.com/acme/fleet.git", true, "github", "acme/fleet", "main", 30},
		"github ssh":          {nil, "git@github.com:acme/fleet.git", true, "github", "acme/fleet", "main", 30},
		"unknown forge: off":  {nil, "https://git.example.com/acme/fleet.git", false, "", "", "main", 30},
		"disabled":            {pr(spec.PullRequestSettings{Enabled: &off}), "https://github.com/acme/fleet", false, "github", "acme/fleet", "main", 30},
		"gitea from its url":  {pr(spec.PullRequestSettings{Forge: "gitea", URL: "http://127.0.0.1:3000", DaysBeforeDeprecation: &days}), "http://127.0.0.1:3000/ops/fleet.git", true, "gitea", "ops/fleet", "main", 45},
		"gitea under a path":  {pr(spec.PullRequestSettings{Forge: "gitea", URL: "https://h/git/"}), "https://h/git/ops/fleet", true, "gitea", "ops/fleet", "main", 30},
		"gitea elsewhere":     {pr(spec.PullRequestSettings{Forge: "gitea", URL: "https://gitea.example.com"}), "https://mirror.example.com/ops/fleet", false, "gitea", "", "main", 30},
		"explicit everything": {pr(spec.PullRequestSettings{Forge: "github", Repo: "a/b", BaseBranch: "prod"}), "file:///tmp/x", true, "github", "a/b", "prod", 30},
	} {
		c := Resolve(tc.s, tc.url, "main")
		if c.Enabled != tc.enabled || c.Forge != tc.forge || c.Repo != tc.repo || c.BaseBranch != tc.branch || c.DaysBeforeDeprecation != tc.days {
			t.Errorf("%s: %+v", name, c)
		}
		if c.Enabled == (c.Off != "") || c.TokenEnv != DefaultTokenEnv {
			t.Errorf("%s: enabled %v with off %q, token env %q", name, c.Enabled, c.Off, c.TokenEnv)
		}
	}
}
