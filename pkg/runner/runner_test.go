package runner

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

const project = emulator.DefaultProjectID

const clusterYAML = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: prod-par}
spec:
  region: fr-par
  projectID: ` + project + `
  version: "1.35"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  tags: [team-a]
  drift: DRIFT
  pools:
    - name: web
      nodeType: PRO2-S
      zone: fr-par-1
      size: 2
`

// env is a runner wired to a real git remote over smart HTTP and the emulator over HTTP.
type env struct {
	t      *testing.T
	runner *Runner
	emu    *emulator.Server
	api    string // the emulator's URL
	bare   string
	url    string
	user   *gittest.User
	clock  *clocktesting.FakeClock
	prov   *scaleway.Provider
}

func newEnv(t *testing.T, drift string) *env {
	t.Helper()
	return newEnvWith(t, drift, emulator.Options{Dwell: emulator.TestDwell})
}

// newEnvWith is newEnv with the emulator's options (its clock, its dwell times).
func newEnvWith(t *testing.T, drift string, opts emulator.Options) *env {
	t.Helper()
	opts.Logf = t.Logf
	emu := emulator.MustNew(opts)
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
	gs := gittest.NewHTTPServer(t, "")
	bare := gittest.NewBareRepo(t, gs.Root, "fleet.git")
	user := gittest.Clone(t, gs.RepoURL("fleet.git"))
	user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(clusterYAML, "DRIFT", drift, 1)})
	user.CommitAndPush(t, "add prod-par", 3)
	src, err := source.New(source.Options{URL: gs.RepoURL("fleet.git"), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktesting.NewFakeClock(time.Now())
	exec := &apply.Executor{Provider: prov, Options: apply.Options{PollInterval: 10 * time.Millisecond}}
	r := &Runner{Source: src, Provider: prov, Exec: exec, Clock: clk, DriftInterval: 10 * time.Minute,
		DefaultProjectID: project, DefaultRegion: "fr-par"}
	return &env{t: t, runner: r, emu: emu, api: hs.URL, bare: bare, url: gs.RepoURL("fleet.git"), user: user, clock: clk, prov: prov}
}

func (e *env) tick(why string) *TickResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := e.runner.Tick(ctx, why)
	if err != nil {
		e.t.Fatalf("tick(%s): %v", why, err)
	}
	return res
}

func (e *env) commits() []gittest.Commit { return gittest.Log(e.t, e.bare, "main") }

func (e *env) status(name string) *status.ClusterStatus {
	e.t.Helper()
	s, err := status.ParseYAML([]byte(gittest.Show(e.t, e.bare, "main", "status/"+name+".yaml")))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) live() *cloud.Cluster {
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
	return nil
}

// anyStrings reads a YAML list read back from a status file.
func anyStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

func cond(s *status.ClusterStatus, t status.ConditionType) string {
	for _, c := range s.Conditions {
		if c.Type == t {
			return c.Status + "/" + c.Reason
		}
	}
	return ""
}

func mutations(t *testing.T, emu *emulator.Server) []string {
	t.Helper()
	log, err := emu.Requests()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range log.Requests {
		if r.Method != "GET" && !strings.Contains(r.Path, "/emulator/") {
			out = append(out, r.Endpoint)
		}
	}
	return out
}

func TestPushApplyStatusThenIdle(t *testing.T) {
	e := newEnv(t, "revert")
	res := e.tick("start")
	if !res.Planned || res.Applied == 0 || res.StatusCommit == "" {
		t.Fatalf("first tick = %+v, want a pass that applied and committed status", res)
	}
	if l := e.live(); l == nil || l.Status != "ready" || len(l.Pools) != 1 {
		t.Fatalf("live cluster after apply = %+v", l)
	}
	st := e.status("prod-par")
	if got := cond(st, status.Ready); got != "True/Succeeded" {
		t.Errorf("Ready = %s, want True/Succeeded (status %+v)", got, st)
	}
	if st.ObservedRevision != res.Revision || st.Version == "" || len(st.Pools) != 1 || len(st.Pools[0].Nodes) != 2 {
		t.Errorf("status = %+v", st)
	}
	if !strings.Contains(gittest.Show(t, e.bare, "main", "reports/prod-par.md"), "## Rotation calendar") {
		t.Error("report missing")
	}
	if c := e.commits()[0]; c.Hash != res.StatusCommit || c.Subject != "status: prod-par @ "+res.Revision[:12]+" (new revision)" {
		t.Errorf("status commit %s %q, want %s naming the revision's 12-character short form", c.Hash, c.Subject, res.StatusCommit)
	}
	before := len(e.commits())
	// Idle ticks: the interval passes, the drift interval too; nothing changed: no commit.
	for i := 0; i < 3; i++ {
		e.clock.Step(time.Minute)
		if r := e.tick("interval"); r.StatusCommit != "" {
			t.Fatalf("idle tick %d committed %s", i, r.StatusCommit)
		}
	}
	e.clock.Step(11 * time.Minute)
	if r := e.tick("interval"); !r.Planned || r.StatusCommit != "" || r.Applied != 0 {
		t.Fatalf("drift check with no drift = %+v, want a pass with no apply and no commit", r)
	}
	if after := len(e.commits()); after != before {
		t.Fatalf("idle ticks wrote %d commits", after-before)
	}
}

func TestInvalidPushAppliesNothing(t *testing.T) {
	e := newEnv(t, "revert")
	good := e.tick("start").Revision
	if err := e.emu.ResetRequests(); err != nil {
		t.Fatal(err)
	}
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(
		strings.Replace(clusterYAML, "DRIFT", "revert", 1), "size: 2", "size: 2\n      sise: 3", 1)})
	bad := e.user.CommitAndPush(t, "typo", 3)
	res := e.tick("webhook")
	if !res.Invalid || res.StatusCommit == "" {
		t.Fatalf("tick = %+v, want invalid with a status commit", res)
	}
	if m := mutations(t, e.emu); len(m) != 0 {
		t.Errorf("an invalid revision caused mutations: %v", m)
	}
	st := e.status("prod-par")
	if st.ObservedRevision != good || st.LastAttemptedRevision != bad {
		t.Errorf("observed %s attempted %s, want %s and %s", st.ObservedRevision, st.LastAttemptedRevision, good, bad)
	}
	if len(st.Errors) == 0 || !strings.Contains(st.Errors[0], "clusters/prod-par.yaml:") || !strings.Contains(st.Errors[0], "sise") {
		t.Errorf("errors = %q, want file:line and the field", st.Errors)
	}
	if got := cond(st, status.Stalled); got != "True/ValidationFailed" {
		t.Errorf("Stalled = %s", got)
	}
}

func TestDriftRevertedOrReported(t *testing.T) {
	for _, policy := range []string{"revert", "report"} {
		t.Run(policy, func(t *testing.T) {
			e := newEnv(t, policy)
			e.tick("start")
			l := e.live()
			if err := e.emu.PatchCluster(l.ID, map[string]any{"tags": []string{"team-a", "managed-by=reconciler", "hand-edited"}}); err != nil {
				t.Fatal(err)
			}
			e.clock.Step(11 * time.Minute)
			res := e.tick("interval")
			if res.Why != "drift-check" {
				t.Fatalf("why = %s", res.Why)
			}
			tags := e.live().Tags
			st := e.status("prod-par")
			report := gittest.Show(t, e.bare, "main", "reports/prod-par.md")
			switch policy {
			case "revert":
				if slices.Contains(tags, "hand-edited") {
					t.Errorf("drift not reverted: tags %v", tags)
				}
				if !strings.Contains(report, "update-cluster") || !strings.Contains(report, "## Drift reverted") {
					t.Errorf("report does not show the revert:\n%s", report)
				}
				if len(st.DriftReverted) != 1 || st.DriftReverted[0].Field != "spec.tags" ||
					!slices.Contains(anyStrings(st.DriftReverted[0].Before), "hand-edited") || slices.Contains(anyStrings(st.DriftReverted[0].After), "hand-edited") ||
					!st.DriftReverted[0].At.Equal(e.clock.Now().UTC().Truncate(time.Second)) && !st.DriftReverted[0].At.Equal(e.clock.Now().UTC()) {
					t.Errorf("driftReverted = %+v, want spec.tags from the hand-edited tags back to the spec's, now", st.DriftReverted)
				}
				if subj := e.commits()[0].Subject; !strings.Contains(subj, "(drift reverted)") {
					t.Errorf("status commit subject = %q, want the real reason", subj)
				}
			case "report":
				if !slices.Contains(tags, "hand-edited") {
					t.Errorf("report-only policy changed the live tags: %v", tags)
				}
				if len(st.Drift) == 0 || st.Drift[0].Field != "spec.tags" || st.Drift[0].Action != "report-only" {
					t.Errorf("drift = %+v", st.Drift)
				}
				if !strings.Contains(report, "`spec.tags`") || cond(st, status.Drifted) != "True/DriftDetected" {
					t.Errorf("report/condition miss the drift:\n%s", report)
				}
			}
		})
	}
}

func TestInvalidFirstRevisionThenFixed(t *testing.T) {
	e := newEnv(t, "revert")
	// Replace the seeded spec with a broken one before the loop ever saw a valid revision.
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\nmetadata: {name: prod-par}\nspec: {region: fr-par, version: \"one\"}\n"})
	bad := e.user.CommitAndPush(t, "broken", 3)
	res := e.tick("start")
	if !res.Invalid || res.Applied != 0 {
		t.Fatalf("tick = %+v", res)
	}
	if m := mutations(t, e.emu); len(m) != 0 {
		t.Fatalf("mutations from an invalid first revision: %v", m)
	}
	st := e.status(RepositoryStatusName)
	if st.LastAttemptedRevision != bad || len(st.Errors) == 0 || !strings.Contains(st.Errors[0], "clusters/prod-par.yaml:4:") {
		t.Fatalf("repository status = %+v", st)
	}
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(clusterYAML, "DRIFT", "revert", 1)})
	e.user.CommitAndPush(t, "fixed", 3)
	if res := e.tick("webhook"); res.Invalid || res.Applied == 0 {
		t.Fatalf("tick after the fix = %+v", res)
	}
	if _, err := gittest.RunErr(e.bare, nil, "cat-file", "-e", "main:status/"+RepositoryStatusName+".yaml"); err == nil {
		t.Error("the repository-level error status is still there after a valid revision")
	}
	if got := cond(e.status("prod-par"), status.Ready); got != "True/Succeeded" {
		t.Errorf("Ready = %s", got)
	}
}

// TestSpecWithoutProjectUsesTheProfileDefault: a spec naming no project is matched to its live
// cluster in the profile's project, in the status as in the plan.
func TestSpecWithoutProjectUsesTheProfileDefault(t *testing.T) {
	e := newEnv(t, "revert")
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(
		strings.Replace(clusterYAML, "DRIFT", "revert", 1), "  projectID: "+project+"\n", "", 1)})
	e.user.CommitAndPush(t, "no project", 3)
	if res := e.tick("start"); res.Applied == 0 {
		t.Fatalf("tick = %+v", res)
	}
	st := e.status("prod-par")
	if got := cond(st, status.Ready); got != "True/Succeeded" || st.ProjectID != project || st.ID == "" {
		t.Errorf("Ready = %s, project %q, id %q: the status must describe the live cluster", got, st.ProjectID, st.ID)
	}
}
