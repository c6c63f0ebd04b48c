package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/forge/forgetest"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
)

// pargs appends the retry flags that keep observation retries short (preview has no apply flags).
func pargs(a ...string) []string {
	return append(a, "--retry-base", "2ms", "--retry-max", "40ms", "--retry-attempts", "40")
}

const previewToken = "git-tok-9f8e7d"

// pullRequest pushes base files to main and head files (on top) to branch, also
// as refs/pull/1/head, on a smart-HTTP remote; it returns the remote URL and the revisions.
func pullRequest(t *testing.T, base, head map[string]string, branch string) (url, baseRev, headRev string) {
	t.Helper()
	gs := gittest.NewHTTPServer(t, previewToken)
	gittest.NewBareRepo(t, gs.Root, "fleet.git")
	u := gittest.Clone(t, gs.RepoURLWithAuth("fleet.git", "u", previewToken))
	u.Write(t, base)
	baseRev = u.CommitAndPush(t, "base", 3)
	headRev = u.PushBranch(t, branch, head, "the pull request", "refs/pull/1/head")
	t.Setenv("GIT_TOKEN", previewToken)
	return gs.RepoURL("fleet.git"), baseRev, headRev
}

// localPullRequest makes a local git repository with base committed on main, and checks out a
// new branch for the pull request's commits. The returned user's Dir is the repository.
func localPullRequest(t *testing.T, base map[string]string, branch string) *gittest.User {
	t.Helper()
	dir := t.TempDir()
	gittest.Run(t, dir, "init", "--quiet", "-b", "main")
	u := &gittest.User{Dir: dir}
	u.Write(t, base)
	gittest.Run(t, dir, "add", "-A")
	gittest.Run(t, dir, "commit", "--quiet", "-m", "base")
	gittest.Run(t, dir, "checkout", "--quiet", "-b", branch)
	return u
}

// TestPreviewFromLocalRepository: --repo may be a local git repository (its branches are read,
// not its worktree).
func TestPreviewFromLocalRepository(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	u := localPullRequest(t, prodSpec("1.35", "web"), "more")
	dir := u.Dir
	u.Write(t, prodSpec("1.35", "web", "batch"))
	gittest.Run(t, dir, "commit", "--quiet", "-am", "batch")
	u.Write(t, prodSpec("1.35", "web", "uncommitted")) // the worktree is not what is previewed
	code, out, errOut := cli(t, "", pargs("preview", "--repo", dir, "--head", "more", "-o", "text")...)
	if code != 0 || !strings.Contains(out, "adds 1 action and removes 0") || !strings.Contains(out, "+ create-pool pool/prod-par/batch") ||
		strings.Contains(out, "uncommitted") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestPreviewShowsWhatThePullRequestAdds: the base plans nothing against live state; the head
// upgrades the cluster and adds a pool, and the preview says exactly that.
func TestPreviewShowsWhatThePullRequestAdds(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	url, baseRev, headRev := pullRequest(t, prodSpec("1.35", "web"), prodSpec("1.36", "web", "batch"), "upgrade")

	for _, head := range []string{"upgrade", "refs/pull/1/head"} {
		if err := srv.ResetRequests(); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := cli(t, "", pargs("preview", "--repo", url, "--base", "main", "--head", head, "-o", "json", "--detailed-exitcode")...)
		// Base and head are planned against one observation: the one scope is listed once.
		if log, err := srv.Requests(); err != nil || log.CountOf("GET /k8s/v1/regions/{region}/clusters") != 1 {
			t.Errorf("cluster lists during one preview = %d (%v), want 1: base and head share one observation", log.CountOf("GET /k8s/v1/regions/{region}/clusters"), err)
		}
		if code != 2 {
			t.Fatalf("preview --head %s: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", head, code, out, errOut)
		}
		if err := outputSchemas(t)["preview.schema.json"].Validate(oneDocument(t, "preview", out)); err != nil {
			t.Errorf("preview does not match preview.schema.json: %v\n%s", err, out)
		}
		var pv preview.Preview
		if err := json.Unmarshal([]byte(out), &pv); err != nil {
			t.Fatalf("preview JSON: %v\n%s", err, out)
		}
		if pv.Base.Revision != baseRev || pv.Head.Revision != headRev || pv.Plan == nil || pv.Plan.Revision != headRev {
			t.Errorf("revisions: base %s head %s plan %v, want %s %s", pv.Base.Revision, pv.Head.Revision, pv.Plan != nil, baseRev, headRev)
		}
		if pv.Compared == nil {
			t.Fatalf("no comparison: base error %q", pv.BaseError)
		}
		var added []string
		for _, a := range pv.Compared.Added {
			added = append(added, string(a.Type)+" "+a.Target)
		}
		for _, want := range []string{"upgrade-cluster cluster/prod-par", "upgrade-pool pool/prod-par/web", "create-pool pool/prod-par/batch"} {
			if !slices.Contains(added, want) {
				t.Errorf("added %v lacks %q", added, want)
			}
		}
		if len(pv.Compared.Removed) != 0 {
			t.Errorf("removed = %v, want none (the base plans nothing)", pv.Compared.Removed)
		}
		if !slices.Equal(pv.Files, []string{"clusters/prod-par.yaml"}) {
			t.Errorf("files = %v", pv.Files)
		}
	}

	code, md, errOut := cli(t, "", pargs("preview", "--repo", url, "--base", "main", "--head", "upgrade")...)
	if code != 0 {
		t.Fatalf("markdown preview: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{preview.Marker, "### Compared with base", "adds 3 actions and removes 0", "`create-pool` `pool/prod-par/batch`", "### Reconciler plan", "1 file changed: `clusters/prod-par.yaml`"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// the same PR the other way round removes those actions
	code, out, _ := cli(t, "", pargs("preview", "--repo", url, "--base", "upgrade", "--head", "main", "-o", "text")...)
	if code != 0 || !strings.Contains(out, "adds 0 actions and removes 3") || !strings.Contains(out, "- create-pool pool/prod-par/batch") {
		t.Errorf("reverse preview: exit %d\n%s", code, out)
	}
	if log, err := srv.Requests(); err != nil || countMutations(log) != 0 {
		t.Errorf("preview mutated the cloud: %v, %d mutations", err, countMutations(log))
	}
}

// TestPreviewInvalidHeadListsEveryError: a reviewer sees each spec error with file and line.
func TestPreviewInvalidHeadListsEveryError(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	bad := prodSpec("1.35", "web")
	bad["clusters/prod-par.yaml"] += "  colour: blue\n"
	bad["clusters/edge.yaml"] = header + "metadata: {name: edge}\nspec:\n  region: fr-par\n  version: \"1.35\"\n  pools:\n    - {name: core, nodeType: PRO2-XS, zone: fr-par-1, size: -2}\n"
	url, _, _ := pullRequest(t, prodSpec("1.35", "web"), bad, "broken")

	for _, format := range []string{"markdown", "text"} {
		code, out, errOut := cli(t, "", pargs("preview", "--repo", url, "--head", "broken", "-o", format)...)
		if code != 1 || !strings.Contains(errOut, "Error: 3 spec errors in the head revision") {
			t.Errorf("%s: exit %d, want 1 and the count on stderr\n%s\n%s", format, code, out, errOut)
		}
		for _, want := range []string{"clusters/prod-par.yaml:10:", "spec.colour", "clusters/edge.yaml:8:", "does not load: "} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks %q:\n%s", format, want, out)
			}
		}
	}
}

// TestPreviewPostsOneCommentAndAStatus posts to a recording GitHub: the second run edits the
// first comment, the head gets a status, an invalid head a failure, and no token is printed.
func TestPreviewPostsOneCommentAndAStatus(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	url, _, headRev := pullRequest(t, prodSpec("1.35", "web"), prodSpec("1.36", "web", "batch"), "upgrade")
	gh := forgetest.NewGitHub(t, "acme", "fleet", "preview-bot")
	const forgeToken = "ghp-forge-secret-42"
	t.Setenv("FORGE_TOKEN", forgeToken)
	post := pargs("preview", "--repo", url, "--head", "refs/pull/1/head", "--post", "--forge", "github",
		"--forge-url", gh.URL, "--forge-repo", "acme/fleet", "--pr", "1")

	var outputs []string
	for i := range 2 {
		code, out, errOut := cli(t, "", post...)
		outputs = append(outputs, out, errOut)
		if code != 0 {
			t.Fatalf("post %d: exit %d\n%s\n%s", i, code, out, errOut)
		}
		want := []string{"created", "updated"}[i]
		if !strings.Contains(errOut, "Preview comment "+want) {
			t.Errorf("post %d: stderr %q, want the comment %s", i, errOut, want)
		}
	}
	cs := gh.Comments()
	if len(cs) != 1 || cs[0].Edits != 1 || !strings.HasPrefix(cs[0].Body, preview.Marker) || !strings.Contains(cs[0].Body, "adds 3 actions") {
		t.Fatalf("comments = %+v, want one preview, edited once", cs)
	}
	st := gh.Statuses()
	if len(st) != 2 || st[1].SHA != headRev || st[1].State != "success" || st[1].Context != "reconciler/preview" ||
		!strings.Contains(st[1].TargetURL, "issuecomment-") {
		t.Errorf("statuses = %+v, want success on %s linking to the comment", st, headRev)
	}

	// --pr and FORGE_TOKEN are checked before any work
	code, _, errOut := cli(t, "", pargs("preview", "--repo", url, "--head", "upgrade", "--post", "--forge", "github", "--forge-url", gh.URL, "--forge-repo", "acme/fleet")...)
	if code != 1 || !strings.Contains(errOut, "--pr") {
		t.Errorf("--post without --pr: exit %d, %q", code, errOut)
	}
	for _, o := range outputs {
		if strings.Contains(o, forgeToken) || strings.Contains(o, previewToken) {
			t.Errorf("a token was printed:\n%s", o)
		}
	}
	for _, c := range gh.Comments() {
		if strings.Contains(c.Body, forgeToken) || strings.Contains(c.Body, previewToken) {
			t.Error("a token was posted")
		}
	}
}

func TestPreviewPostsFailureForInvalidHead(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	bad := prodSpec("1.35", "web")
	bad["clusters/prod-par.yaml"] += "  colour: blue\n"
	url, _, headRev := pullRequest(t, prodSpec("1.35", "web"), bad, "broken")
	gh := forgetest.NewGitHub(t, "acme", "fleet", "preview-bot")
	t.Setenv("FORGE_TOKEN", "tok")
	code, out, errOut := cli(t, "", pargs("preview", "--repo", url, "--head", "broken", "--post", "--forge", "github",
		"--forge-url", gh.URL, "--forge-repo", "acme/fleet", "--pr", "1")...)
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	st := gh.Statuses()
	if len(st) != 1 || st[0].SHA != headRev || st[0].State != "failure" || !strings.Contains(st[0].Description, "1 spec error") {
		t.Errorf("statuses = %+v, want one failure on %s", st, headRev)
	}
	if cs := gh.Comments(); len(cs) != 1 || !strings.Contains(cs[0].Body, "clusters/prod-par.yaml:10:") {
		t.Errorf("comments = %+v, want the errors posted", cs)
	}
}

// A head that does not load: -o json is still one preview document with the errors and a null
// plan, as preview.schema.json says, and preview exits 1.
func TestPreviewJSONOfAnInvalidHead(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	bad := prodSpec("1.35", "web")
	for k, v := range bad {
		bad[k] = strings.Replace(v, "size: ", "sise: ", 1)
	}
	url, _, _ := pullRequest(t, prodSpec("1.35", "web"), bad, "typo")
	code, out, errOut := cli(t, "", pargs("preview", "--repo", url, "--base", "main", "--head", "typo", "-o", "json")...)
	doc := oneDocument(t, "preview", out)
	if err := outputSchemas(t)["preview.schema.json"].Validate(doc); err != nil {
		t.Errorf("preview does not match preview.schema.json: %v\n%s", err, out)
	}
	var pv preview.Preview
	if err := json.Unmarshal([]byte(out), &pv); err != nil {
		t.Fatal(err)
	}
	if code != 1 || pv.Plan != nil || len(pv.Errors) == 0 || !strings.Contains(pv.Errors[0], `unknown field "sise"`) {
		t.Errorf("exit %d, plan %v, errors %q, want 1, null and the typo\n%s", code, pv.Plan != nil, pv.Errors, errOut)
	}
}
