package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// reconciler.yaml asks for lifecycle pull requests but what they need cannot be derived (here the
// repository on the forge, for a repository read from another host): the loop said nothing and
// never opened one. It reports why, as it reports a missing token; enabled: false stays quiet.
func TestExplicitLifecycleThatCannotRunSaysWhy(t *testing.T) {
	r := &Runner{Lifecycle: &Lifecycle{RepoURL: "https://git.internal.example/ops/fleet.git", Branch: "main",
		Getenv: func(string) string { return "tok" }}}
	pass := func(p *spec.PullRequestSettings) *reconcile.Pass {
		return &reconcile.Pass{Repo: &spec.Repo{Settings: &spec.Settings{Lifecycle: &spec.LifecycleSettings{PullRequests: p}}}}
	}
	err := r.lifecycle(context.Background(), time.Now(), pass(&spec.PullRequestSettings{Forge: spec.ForgeGitea, URL: "https://gitea.example.com"}), nil)
	if err == nil || !strings.Contains(err.Error(), "lifecycle.pullRequests.repo") {
		t.Fatalf("explicit pull requests without a derivable repo: err = %v, want the reason naming lifecycle.pullRequests.repo", err)
	}
	off := false
	if err := r.lifecycle(context.Background(), time.Now(), pass(&spec.PullRequestSettings{Enabled: &off, Forge: spec.ForgeGitea, URL: "https://gitea.example.com"}), nil); err != nil {
		t.Fatalf("enabled: false: err = %v, want nil", err)
	}
	if err := r.lifecycle(context.Background(), time.Now(), &reconcile.Pass{Repo: &spec.Repo{Settings: &spec.Settings{}}}, nil); err != nil {
		t.Fatalf("no lifecycle settings: err = %v, want nil", err)
	}
}
