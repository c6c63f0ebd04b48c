package runner

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/forge/giteatest"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

const lifecycleSpec = `# prod-par: the production cluster
apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: prod-par}
spec:
  region: fr-par
  projectID: ` + project + `
  version: "VERSION" # bumped by lifecycle pull requests
  description: DESCRIPTION
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  adopt: true
  pools:
    - name: web
      nodeType: PRO2-S
      zone: fr-par-1
      size: 2
`

// giteaEnv is the loop against a real Gitea (the git remote and the forge) and the emulator over
// HTTP, with the runner's clock injected.
type giteaEnv struct {
	t     *testing.T
	g     *giteatest.Server
	user  *gittest.User
	emu   *emulator.Server
	prov  *scaleway.Provider
	clock *clocktesting.FakeClock
	r     *Runner
}

// newGiteaEnv seeds prod-par live at liveVersion with its spec at specVersion; the emulator and
// the runner share one fake clock starting at start.
func newGiteaEnv(t *testing.T, specVersion, liveVersion string, start time.Time) *giteaEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a Gitea server")
	}
	g := giteatest.Start(t)
	clk := clocktesting.NewFakeClock(start)
	emu := emulator.MustNew(emulator.Options{Dwell: emulator.TestDwell, Logf: t.Logf, Clock: clk})
	hs := httptest.NewServer(emu.Handler())
	t.Cleanup(hs.Close)
	t.Setenv("SCW_CONFIG_PATH", filepath.Join(t.TempDir(), "none.yaml"))
	t.Setenv("SCW_ACCESS_KEY", "SCWRUNNERTEST0000000")
	t.Setenv("SCW_SECRET_KEY", "22222222-0000-4000-8000-000000000000")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", project)
	t.Setenv("SCW_DEFAULT_REGION", "fr-par")
	prov, err := scaleway.New(scaleway.WithAPIURL(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "prod-par", Version: liveVersion,
		Description: "prod", PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
		Pools: []emulator.SeedPool{{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: 2, Version: liveVersion}}}}}); err != nil {
		t.Fatal(err)
	}

	cloneURL := g.CreateRepo(t, "fleet")
	user := gittest.Clone(t, g.AuthURL(cloneURL))
	user.Write(t, map[string]string{
		"clusters/prod-par.yaml": strings.NewReplacer("VERSION", specVersion, "DESCRIPTION", "prod").Replace(lifecycleSpec),
		"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nlifecycle:\n  pullRequests:\n" +
			"    forge: gitea\n    url: " + g.URL + "\n    tokenEnv: LIFECYCLE_TEST_TOKEN\n",
	})
	user.CommitAndPush(t, "add prod-par", 3)
	g.WaitBranch(t, "fleet", "main")
	src, err := source.New(source.Options{URL: cloneURL, CacheDir: t.TempDir(), Auth: source.Auth{Username: g.Admin, Password: g.Token}})
	if err != nil {
		t.Fatal(err)
	}
	exec := &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}}
	r := &Runner{Source: src, Provider: prov, Exec: exec, Clock: clk, DriftInterval: 10 * time.Minute,
		DefaultProjectID: project, DefaultRegion: "fr-par", Notify: func(ev Event) { t.Logf("%s: %s", ev.Kind, ev.Message) },
		Lifecycle: &Lifecycle{Getenv: func(k string) string {
			if k == "LIFECYCLE_TEST_TOKEN" {
				return g.Token
			}
			return ""
		}}}
	return &giteaEnv{t: t, g: g, user: user, emu: emu, prov: prov, clock: clk, r: r}
}

func (e *giteaEnv) tick(why string) *TickResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := e.r.Tick(ctx, why)
	if err != nil {
		e.t.Fatalf("tick(%s): %v", why, err)
	}
	if res.PassErr != nil {
		e.t.Fatalf("tick(%s): pass failed: %v", why, res.PassErr)
	}
	return res
}

type giteaPull struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	State  string `json:"state"`
	Head   struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	} `json:"head"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (e *giteaEnv) pulls() []giteaPull {
	var ps []giteaPull
	e.g.API(e.t, "GET", "/repos/"+e.g.Admin+"/fleet/pulls?state=all", nil, &ps)
	return ps
}

// file is path on branch, read through Gitea's raw endpoint.
// branchHead is branch's commit as Gitea has it.
func (e *giteaEnv) branchHead(branch string) string {
	var b struct {
		Commit struct {
			ID string `json:"id"`
		} `json:"commit"`
	}
	e.g.API(e.t, "GET", fmt.Sprintf("/repos/%s/fleet/branches/%s", e.g.Admin, strings.ReplaceAll(branch, "/", "%2F")), nil, &b)
	return b.Commit.ID
}

func (e *giteaEnv) file(branch, path string) string {
	var f struct {
		Content string `json:"content"`
	}
	e.g.API(e.t, "GET", fmt.Sprintf("/repos/%s/fleet/contents/%s?ref=%s", e.g.Admin, path, branch), nil, &f)
	return decodeB64(e.t, f.Content)
}

func (e *giteaEnv) catalog() []cloud.Version {
	e.t.Helper()
	snap, err := e.prov.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: project})
	if err != nil {
		e.t.Fatal(err)
	}
	return snap.Versions
}

// latestAt is the newest patch of minor the default catalog offers at t.
func latestAt(t *testing.T, minor string, at time.Time) string {
	t.Helper()
	for _, v := range emulator.CatalogAt(emulator.DefaultCatalog(), at) {
		if strings.HasPrefix(v, minor+".") {
			return v
		}
	}
	t.Skipf("the emulator offers no %s at %s", minor, at)
	return ""
}

func (e *giteaEnv) live() *cloud.Cluster {
	e.t.Helper()
	snap, err := e.prov.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: project})
	if err != nil {
		e.t.Fatal(err)
	}
	for i := range snap.Clusters {
		if snap.Clusters[i].Name == "prod-par" {
			return &snap.Clusters[i]
		}
	}
	e.t.Fatal("prod-par is not live")
	return nil
}

// latest is the emulator's latest listed patch of minor.
func latest(t *testing.T, cat []cloud.Version, minor string) cloud.Version {
	t.Helper()
	for _, v := range cat {
		if strings.HasPrefix(v.Name, minor+".") {
			return v
		}
	}
	t.Skipf("the emulator's catalog has no %s", minor)
	return cloud.Version{}
}

// Acceptance (a): 1.34 is deprecated, so the loop proposes the upgrade to 1.35; then the emulator's
// clock passes 1.34's end of life and Scaleway force-upgrades the cluster to 1.35 while the spec
// still says 1.34. The pass plans on (no error) with a spec-behind warning, the status says so
// with the dates, and the one pull request becomes the spec-sync: exactly one on Gitea, changing
// only the version scalar. Once the spec says 1.35 it is closed.
func TestLifecycleForcedUpgradeSpecSyncOnGitea(t *testing.T) {
	e := newGiteaEnv(t, "1.34", "1.34.6", time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	e.tick("start")
	ps := e.pulls()
	if len(ps) != 1 || !strings.HasPrefix(ps[0].Title, "Upgrade prod-par to Kubernetes 1.35") {
		t.Fatalf("before end of life: %+v, want the upgrade pull request of a deprecated 1.34", ps)
	}

	e.clock.SetTime(time.Date(2026, 11, 29, 0, 30, 0, 0, time.UTC)) // past 1.34's end of life
	var live string
	for range 50 { // the forced upgrade: control plane, then pools
		c := e.live()
		live = c.Version
		if c.Status == "ready" && strings.HasPrefix(live, "1.35.") && c.Pools[0].Status == "ready" {
			break
		}
		e.clock.Step(time.Minute)
	}
	if !strings.HasPrefix(live, "1.35.") {
		t.Fatalf("the emulator did not force-upgrade the cluster: live %s", live)
	}
	e.clock.Step(11 * time.Minute)
	res := e.tick("interval")
	if !res.Planned {
		t.Fatalf("no pass: %+v", res)
	}
	ps = e.pulls()
	if len(ps) != 1 || ps[0].State != "open" || ps[0].Head.Ref != "reconciler/lifecycle/fr-par/prod-par" || !strings.HasPrefix(ps[0].Title, "Sync prod-par's spec.version to 1.35") {
		t.Fatalf("after the forced upgrade: %+v, want the one pull request, now the spec-sync", ps)
	}
	for _, s := range []string{"spec-behind", live, "a forced upgrade", "Reconciler preview"} {
		if !strings.Contains(ps[0].Body, s) {
			t.Errorf("body lacks %q:\n%s", s, ps[0].Body)
		}
	}
	// 1.34 has left the region's list at its end of life: the reason says so.
	if !strings.Contains(ps[0].Body, "1.34 is no longer offered") && !strings.Contains(ps[0].Body, "1.34 reached end of life on 2026-11-29") {
		t.Errorf("body does not say why:\n%s", ps[0].Body)
	}
	want := strings.NewReplacer("VERSION", "1.35", "DESCRIPTION", "prod").Replace(lifecycleSpec)
	if got := e.file(ps[0].Head.Ref, "clusters/prod-par.yaml"); got != want {
		t.Errorf("proposed spec:\n%s\nwant only the version changed:\n%s", got, want)
	}
	st, err := status.ParseYAML([]byte(e.file("main", "status/prod-par.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	if st.SpecBehind == nil || st.SpecBehind.Reason != "forced-upgrade" || st.SpecBehind.LiveVersion != live || !strings.HasPrefix(cond(st, status.SpecBehind), "True") {
		t.Errorf("status: specBehind %+v, condition %s", st.SpecBehind, cond(st, status.SpecBehind))
	}

	// Another pass: the same pull request, nothing pushed or edited.
	head := e.branchHead(ps[0].Head.Ref)
	e.clock.Step(11 * time.Minute)
	e.tick("interval")
	again := e.pulls()
	if len(again) != 1 || e.branchHead(ps[0].Head.Ref) != head || again[0].Body != ps[0].Body {
		t.Errorf("after a second pass: %+v, want the same pull request untouched", again)
	}

	// The spec is merged to 1.35: the pull request is no longer needed and is closed.
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": want})
	pullAndPush(t, e.user, "sync prod-par to 1.35")
	e.tick("push")
	closed := e.pulls()
	if len(closed) != 1 || closed[0].State != "closed" {
		t.Errorf("after the spec moved to 1.35: %+v, want the pull request closed", closed)
	}
}

// Acceptance (b): a 1.35 cluster 30 days before 1.35's deprecated_at gets exactly one upgrade
// pull request to 1.36; a re-run after the preview changed edits the same one (force-pushed).
func TestLifecycleUpgradePullRequestOnGitea(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	live := latestAt(t, "1.35", start)
	e := newGiteaEnv(t, "1.35", live, start)
	v135 := latest(t, e.catalog(), "1.35")
	if v135.DeprecatedAt == nil {
		t.Skip("the emulator gives 1.35 no deprecated_at")
	}
	// 31 days before: nothing yet.
	e.clock.SetTime(v135.DeprecatedAt.AddDate(0, 0, -31))
	e.tick("start")
	if ps := e.pulls(); len(ps) != 0 {
		t.Fatalf("31 days before deprecation: %+v, want none", ps)
	}
	// 30 days before: one upgrade pull request to 1.36.
	e.clock.SetTime(v135.DeprecatedAt.AddDate(0, 0, -30))
	e.tick("interval")
	ps := e.pulls()
	if len(ps) != 1 || ps[0].State != "open" || !strings.HasPrefix(ps[0].Title, "Upgrade prod-par to Kubernetes 1.36") {
		t.Fatalf("pull requests = %+v, want one upgrade to 1.36", ps)
	}
	day := v135.DeprecatedAt.Format("2006-01-02")
	for _, s := range []string{day, "upgrade-cluster", "1.36"} {
		if !strings.Contains(ps[0].Body, s) {
			t.Errorf("body lacks %q:\n%s", s, ps[0].Body)
		}
	}
	want := strings.NewReplacer("VERSION", "1.36", "DESCRIPTION", "prod").Replace(lifecycleSpec)
	if got := e.file(ps[0].Head.Ref, "clusters/prod-par.yaml"); got != want {
		t.Errorf("proposed spec:\n%s\nwant:\n%s", got, want)
	}

	// The spec changes on main (the preview with it): the loop force-pushes the branch over the
	// new main and edits the same pull request.
	head := e.branchHead(ps[0].Head.Ref)
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.NewReplacer("VERSION", "1.35", "DESCRIPTION", "production").Replace(lifecycleSpec)})
	pullAndPush(t, e.user, "describe prod-par")
	e.clock.Step(time.Hour)
	e.tick("push")
	after := e.pulls()
	if len(after) != 1 || after[0].Number != ps[0].Number || after[0].State != "open" {
		t.Fatalf("after a re-run: %+v, want pull request #%d alone, open", after, ps[0].Number)
	}
	if now := e.branchHead(ps[0].Head.Ref); now == head || after[0].Body == ps[0].Body {
		t.Errorf("the pull request was not updated: head %s (was %s), body unchanged %v", now, head, after[0].Body == ps[0].Body)
	}
	want = strings.NewReplacer("VERSION", "1.36", "DESCRIPTION", "production").Replace(lifecycleSpec)
	if got := e.file(after[0].Head.Ref, "clusters/prod-par.yaml"); got != want {
		t.Errorf("proposed spec after the re-run:\n%s\nwant:\n%s", got, want)
	}
}

// pullAndPush rebases the user's clone on the loop's status commits and pushes.
func pullAndPush(t *testing.T, u *gittest.User, msg string) {
	t.Helper()
	if _, err := u.CommitAndPushErr(msg, 5); err != nil {
		t.Fatal(err)
	}
}

func decodeB64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
