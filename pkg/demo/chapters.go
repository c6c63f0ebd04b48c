package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/forge"
	"github.com/scaleway-gitops/reconciler/pkg/forge/giteatest"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// The bad push: a typo in a pool field of prod-par.
const (
	badFile = "clusters/prod-par.yaml"
	badFrom = "      size: 3\n"
	badTo   = "      sise: 3\n"
)

// The preview: a branch that grows dev-par's pool.
const (
	previewBranch = "more-capacity"
	previewFile   = "clusters/dev-par.yaml"
	previewFrom   = "      size: 1\n"
	previewTo     = "      size: 3\n"
)

// badPush pushes a revision that fails validation: the loop applies nothing from it, every
// status names its errors (file:line) and the last good revision stays applied; then the user
// reverts it.
func (d *demo) badPush(ctx context.Context) error {
	d.title("4. A bad push: an invalid spec is refused, the last good revision stays applied")
	good := d.statusOf(driftCluster)
	if good == nil {
		return errors.New("no status for " + driftCluster)
	}
	if err := d.user.edit(badFile, func(s string) string { return strings.Replace(s, badFrom, badTo, 1) }); err != nil {
		return err
	}
	bad, err := d.user.commitAndPush("prod-par: resize web (with a typo)")
	if err != nil {
		return err
	}
	d.say("user pushed %s: %s has %q instead of %q", revision.Short(bad), badFile, strings.TrimSpace(badTo), strings.TrimSpace(badFrom))
	d.run.Trigger("push")
	var st *status.ClusterStatus
	err = d.waitFor(ctx, "report the invalid revision", func() bool {
		st = d.statusOf(driftCluster)
		return st != nil && st.LastAttemptedRevision == bad && len(st.Errors) > 0
	})
	if err != nil {
		return err
	}
	for _, e := range st.Errors {
		d.say("status/%s.yaml error: %s", driftCluster, e)
	}
	d.say("%s: last applied revision stays %s (%s); attempted %s", driftCluster, revision.Short(st.ObservedRevision),
		conditionMessage(st, status.Ready), revision.Short(st.LastAttemptedRevision))
	if st.ObservedRevision != good.ObservedRevision {
		return fmt.Errorf("the invalid revision moved observedRevision from %s to %s", good.ObservedRevision, st.ObservedRevision)
	}
	if _, err := git(d.user.dir, "revert", "--no-edit", "HEAD"); err != nil {
		return err
	}
	fix, err := d.user.push()
	if err != nil {
		return err
	}
	d.say("user reverted the typo in %s", revision.Short(fix))
	d.run.Trigger("push")
	return d.waitFor(ctx, "recover from the invalid revision", func() bool {
		s := d.statusOf(driftCluster)
		return s != nil && s.LastAttemptedRevision == fix && len(s.Errors) == 0 && ready(s)
	})
}

func conditionMessage(s *status.ClusterStatus, t status.ConditionType) string {
	for _, c := range s.Conditions {
		if c.Type == t {
			return c.Status + "/" + c.Reason + ": " + c.Message
		}
	}
	return ""
}

// previewPR pushes a branch and renders the pull request's preview comment: the head's plan
// against live state and what it changes compared with the base. With a forge, `reconciler
// preview --post` writes this comment on the pull request; the demo prints it.
func (d *demo) previewPR(ctx context.Context) error {
	d.title("5. A pull request preview: what a branch would change, before it is merged")
	if _, err := git(d.user.dir, "checkout", "--quiet", "-b", previewBranch); err != nil {
		return err
	}
	if err := d.user.edit(previewFile, func(s string) string { return strings.Replace(s, previewFrom, previewTo, 1) }); err != nil {
		return err
	}
	if _, err := git(d.user.dir, "commit", "--quiet", "-am", "dev-par: 3 nodes"); err != nil {
		return err
	}
	if _, err := git(d.user.dir, "push", "--quiet", "origin", previewBranch); err != nil {
		return err
	}
	if _, err := git(d.user.dir, "checkout", "--quiet", "main"); err != nil {
		return err
	}
	d.say("user pushed branch %s: %s size 1 -> 3", previewBranch, previewFile)
	pv, err := d.preview(ctx, "main", previewBranch)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	body := preview.Markdown(pv, forge.GitHubLimit)
	if _, _, ok := giteatest.Binary(); !ok {
		d.say("no local forge (Gitea is not built: `make gitea`); the comment `reconciler preview --head %s --post` writes on the pull request:", previewBranch)
		d.block(body)
		return nil
	}
	return runTB(d.o.Dir, func(string, ...any) {}, func(t *demoTB) {
		if err := d.postOnGitea(ctx, t, pv, body); err != nil {
			t.Fatalf("%v", err)
		}
	})
}

// postOnGitea opens the pull request on a local Gitea (the cached test build), posts the preview
// as its comment and the head's commit status, as `reconciler preview --post` does, and shows
// the comment Gitea holds.
func (d *demo) postOnGitea(ctx context.Context, t *demoTB, pv *preview.Preview, body string) error {
	began := time.Now()
	g := giteatest.Start(t)
	d.say("local Gitea ready at %s in %s", g.URL, time.Since(began).Round(100*time.Millisecond))
	clone := g.CreateRepo(t, "fleet")
	if _, err := git(d.user.dir, "push", "--quiet", g.AuthURL(clone), "main", previewBranch); err != nil {
		return errors.New(strings.ReplaceAll(err.Error(), g.Token, "***")) // never print the token
	}
	pr := g.CreatePull(t, "fleet", previewBranch, "main", "dev-par: 3 nodes")
	fg, err := forge.New(forge.KindGitea, forge.Options{URL: g.URL, Repo: g.Admin + "/fleet", Token: g.Token})
	if err != nil {
		return err
	}
	c, err := fg.UpsertComment(ctx, pr, preview.Marker, body)
	if err != nil {
		return fmt.Errorf("post preview comment: %w", err)
	}
	state := forge.Success
	if !pv.Valid() {
		state = forge.Failure
	}
	if err := fg.SetStatus(ctx, pv.Head.Revision, state, "reconciler/preview", preview.StatusLine(pv), c.URL); err != nil {
		return fmt.Errorf("set commit status: %w", err)
	}
	cs := g.Comments(t, "fleet", pr)
	if len(cs) != 1 {
		return fmt.Errorf("pull request #%d has %d comments, want the preview", pr, len(cs))
	}
	d.say("pull request #%d opened on Gitea; `reconciler preview --post` wrote comment %s and the commit status %q (%s); the comment:",
		pr, c.URL, "reconciler/preview", state)
	d.block(cs[0].Body)
	return nil
}

// preview is `reconciler preview`'s computation: both revisions planned against one observation.
func (d *demo) preview(ctx context.Context, base, head string) (*preview.Preview, error) {
	cache, err := os.MkdirTemp(d.o.Dir, "preview-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(cache)
	src, err := source.New(source.Options{URL: d.bare, CacheDir: filepath.Join(cache, "c")})
	if err != nil {
		return nil, err
	}
	bco, err := src.FetchRef(ctx, base)
	if err != nil {
		return nil, err
	}
	hco, err := src.FetchRef(ctx, head)
	if err != nil {
		return nil, err
	}
	pv := &preview.Preview{FormatVersion: preview.FormatVersion,
		Base: preview.Rev{Ref: base, Revision: bco.Revision}, Head: preview.Rev{Ref: head, Revision: hco.Revision}}
	if pv.Files, err = src.SpecChanges(ctx, bco.Revision, hco.Revision); err != nil {
		return nil, err
	}
	baseRepo, err := spec.Load(bco.FS)
	if err != nil {
		return nil, err
	}
	headRepo, err := spec.Load(hco.FS)
	if err != nil {
		return nil, err
	}
	r := &reconcile.Reconciler{Provider: d.prov, Clock: d.clock, Rotate: true,
		DefaultProjectID: d.run.DefaultProjectID, DefaultRegion: d.run.DefaultRegion, Owner: source.Identity(d.bare, base)}
	scopes := r.Scopes(hco, headRepo)
	snaps, err := r.Observe(ctx, scopes...)
	if err != nil {
		return nil, err
	}
	hp, err := r.PlanObserved(ctx, hco, headRepo, snaps)
	if err != nil {
		return nil, err
	}
	bp, err := r.PlanObserved(ctx, bco, baseRepo, snaps)
	if err != nil {
		return nil, err
	}
	pv.Plan, pv.Compared = hp.Plan, preview.Compare(bp.Plan, hp.Plan)
	return pv, nil
}

// block prints a multi-line text indented under the narration.
func (d *demo) block(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintln(d.out, "    | "+l)
	}
}
