package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/forge"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func init() { register(newPreviewCmd) }

// previewFlags are preview's own flags (the plan flags it shares live in pipelineFlags).
type previewFlags struct {
	base, head                  string
	detailed, post              bool
	forgeKind, forgeURL, fRepo  string
	pr                          int
	statusContext, statusTarget string
}

func newPreviewCmd(env *cmdEnv) *cobra.Command {
	var pf pipelineFlags
	var f previewFlags
	c := &cobra.Command{
		Use:   "preview",
		Short: "Pull-request plan preview: the head's plan and what it changes against the base",
		Long: `Preview fetches a pull request's base and head, plans both against one observation of live
state and prints the head's plan with what it changes against the base's, or the head's spec
errors. With --post it writes the preview as the pull request's comment (edited in place) and
sets a commit status on the head; the forge token comes from FORGE_TOKEN.

Exit 1 when the head's specs are invalid or on an error; with --detailed-exitcode 2 when the
head's plan has differences (deferred ones included).`,
		Example: `  reconciler preview --repo . --base main --head my-branch
  reconciler preview --repo https://gitea.example.com/acme/fleet.git --head refs/pull/7/head -o json
  FORGE_TOKEN=… reconciler preview --repo https://gitea.example.com/acme/fleet.git --head refs/pull/7/head --post --pr 7`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkPostFlags(c.Flags(), &f); err != nil {
				return err // before the credentials and any I/O
			}
			return exit(runPreview(c.Context(), env, &pf, &f))
		},
	}
	fs := c.Flags()
	registerRepoFlags(fs, &pf)
	fs.StringVar(&f.base, "base", "main", "the pull request's base: a branch or a full ref")
	fs.StringVar(&f.head, "head", "", "the pull request's head: a branch or a full ref (refs/pull/N/head)")
	registerOutputFlag(fs, &pf.output, "markdown", "markdown, text or json")
	fs.StringVar(&pf.now, "now", "", "evaluate windows and ages at this time (RFC 3339) instead of the clock")
	fs.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 2 when the head plan has differences, deferred ones included (0: none, 1: error)")
	fs.BoolVar(&f.post, "post", false, "write the preview as the pull request's comment (edited in place) and set a commit status on the head")
	fs.StringVar(&f.forgeKind, "forge", forge.KindGitea, "with --post: the forge, gitea or github")
	fs.StringVar(&f.forgeURL, "forge-url", "", "with --post: Gitea's root URL (default: the scheme and host of --repo) or GitHub's API URL (default https://api.github.com)")
	fs.StringVar(&f.fRepo, "forge-repo", "", "with --post: owner/name on the forge (default: from --repo)")
	fs.IntVar(&f.pr, "pr", 0, "with --post: the pull request number")
	fs.StringVar(&f.statusContext, "status-context", "reconciler/preview", "with --post: the commit status name")
	fs.StringVar(&f.statusTarget, "status-url", "", "with --post: the commit status link (default: the preview comment)")
	registerRetryFlags(fs, &pf.retry)
	return c
}

func runPreview(ctx context.Context, env *cmdEnv, pf *pipelineFlags, f *previewFlags) int {
	if err := plan.CheckFormat(pf.output); err != nil {
		return fail(env, fmt.Errorf("-o: %w", err)) // before any I/O
	}
	if err := checkSSHFlags(pf.repo, pf.sshKey, pf.knownHosts, false); err != nil {
		return fail(env, err)
	}
	if err := checkOwnerFlag(pf.owner); err != nil {
		return fail(env, err)
	}
	if _, err := parseNow(pf.now); err != nil {
		return fail(env, err)
	}
	if err := scaleway.CheckConfigured(nil); err != nil {
		return fail(env, err) // before the repository is fetched
	}
	if f.head == "" {
		return fail(env, errors.New("--head is required"))
	}
	var fg forge.Forge
	if f.post {
		var err error
		if fg, err = newForge(env, pf.repo, f); err != nil {
			return fail(env, err)
		}
	}
	pv, err := buildPreview(ctx, env, pf, f.base, f.head)
	if err != nil {
		if fg != nil && pv != nil && pv.Head.Revision != "" {
			// the reviewer sees why there is no preview on the commit itself
			if serr := fg.SetStatus(ctx, pv.Head.Revision, forge.Error, f.statusContext, "preview failed: "+err.Error(), f.statusTarget); serr != nil {
				fmt.Fprintf(env.stderr, "Error: set commit status: %v\n", serr)
			}
		}
		return fail(env, err)
	}
	out, err := preview.Render(pv, pf.output)
	if err != nil {
		return fail(env, err)
	}
	if _, err := env.stdout.Write(out); err != nil {
		return fail(env, err)
	}
	if fg != nil {
		if err := postPreview(ctx, env, fg, pv, f); err != nil {
			return fail(env, err)
		}
	}
	switch {
	case !pv.Valid():
		fmt.Fprintf(env.stderr, "Error: %s\n", preview.StatusLine(pv))
		return 1
	case f.detailed && differs(pv.Plan):
		return 2
	}
	return 0
}

// buildPreview fetches base and head into one throw-away cache, plans both against live state
// and compares them. A head that does not load is a preview with Errors, not an error; the
// returned preview carries the revisions even when err is set.
func buildPreview(ctx context.Context, env *cmdEnv, pf *pipelineFlags, base, head string) (*preview.Preview, error) {
	repo := pf.repo
	if !looksRemote(repo) {
		if err := checkLocalRepo(repo); err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(repo)
		if err != nil {
			return nil, err
		}
		repo = abs
	}
	cache, err := os.MkdirTemp("", "reconciler-preview-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(cache)
	src, err := source.New(source.Options{URL: repo, CacheDir: cache,
		Auth: gitAuth(env, pf)})
	if err != nil {
		return nil, err
	}
	bco, err := src.FetchRef(ctx, base)
	if err != nil {
		return nil, fetchError("--base", base, repo, err)
	}
	hco, err := src.FetchRef(ctx, head)
	if err != nil {
		return nil, fetchError("--head", head, repo, err)
	}
	pv := &preview.Preview{FormatVersion: preview.FormatVersion,
		Base: preview.Rev{Ref: base, Revision: bco.Revision}, Head: preview.Rev{Ref: head, Revision: hco.Revision}}
	if pv.Files, err = src.SpecChanges(ctx, bco.Revision, hco.Revision); err != nil {
		return pv, err
	}
	// Both revisions are planned as the repository's base branch (its identity owns the
	// clusters), against one observation: live changes between two reads cannot leak into the
	// comparison.
	r, err := wireReconciler(env, pf)
	if err != nil {
		return pv, err
	}
	r.Owner = cmp.Or(pf.owner, source.Identity(repo, strings.TrimPrefix(base, "refs/heads/")))
	var list spec.ErrorList
	headRepo, err := spec.Load(hco.FS)
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			pv.Errors = append(pv.Errors, e.Error())
		}
		return pv, nil
	case err != nil:
		return pv, err
	}
	scopes := r.Scopes(hco, headRepo)
	baseRepo, berr := spec.Load(bco.FS)
	if berr == nil {
		for _, ref := range r.Scopes(bco, baseRepo) {
			if !slices.Contains(scopes, ref) {
				scopes = append(scopes, ref)
			}
		}
	}
	snaps, err := r.Observe(ctx, scopes...)
	if err != nil {
		return pv, err
	}
	hp, err := r.PlanObserved(ctx, hco, headRepo, snaps)
	if err != nil {
		return pv, err
	}
	pv.Plan = hp.Plan
	switch {
	case errors.As(berr, &list):
		pv.BaseError = fmt.Sprintf("the base revision does not load (%d spec errors)", len(list))
	case berr != nil:
		pv.BaseError = "the base revision could not be planned: " + berr.Error()
	default:
		if bp, err := r.PlanObserved(ctx, bco, baseRepo, snaps); err != nil {
			pv.BaseError = "the base revision could not be planned: " + err.Error()
		} else {
			pv.Compared = preview.Compare(bp.Plan, hp.Plan)
		}
	}
	return pv, nil
}

// postOnlyFlags are preview's flags that only --post reads.
var postOnlyFlags = []string{"pr", "forge", "forge-url", "forge-repo", "status-context", "status-url"}

// checkPostFlags refuses a --post flag given without --post (a script would believe it posted)
// and an unknown --forge.
func checkPostFlags(fs *pflag.FlagSet, f *previewFlags) error {
	if !f.post {
		for _, name := range postOnlyFlags {
			if fs.Changed(name) {
				return fmt.Errorf("--%s is used with --post only: add --post to write the preview to the pull request, or drop --%s", name, name)
			}
		}
		return nil
	}
	if f.forgeKind != forge.KindGitea && f.forgeKind != forge.KindGitHub {
		return fmt.Errorf("--forge %s: use %s or %s", f.forgeKind, forge.KindGitea, forge.KindGitHub)
	}
	return nil
}

// newForge checks the --post flags and builds the forge client; the token comes from
// FORGE_TOKEN only.
func newForge(env *cmdEnv, repo string, f *previewFlags) (forge.Forge, error) {
	if f.pr <= 0 {
		return nil, errors.New("--post needs --pr N")
	}
	tok := env.getenv("FORGE_TOKEN")
	if tok == "" {
		return nil, errors.New("--post needs the forge token in FORGE_TOKEN")
	}
	fURL, fRepo := f.forgeURL, f.fRepo
	if u, err := url.Parse(repo); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		parts := strings.Split(strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git"), "/")
		if n := len(parts); n >= 2 && parts[n-2] != "" {
			fRepo = cmp.Or(fRepo, parts[n-2]+"/"+parts[n-1])
		}
		if f.forgeKind == forge.KindGitea {
			fURL = cmp.Or(fURL, u.Scheme+"://"+u.Host)
		}
	}
	if fRepo == "" {
		return nil, errors.New("--post needs --forge-repo owner/name (it cannot be told from --repo)")
	}
	return forge.New(f.forgeKind, forge.Options{URL: fURL, Repo: fRepo, Token: tok, Client: forgeHTTPClient()})
}

// postPreview writes the pull request's preview comment (editing the previous one) and the
// head's commit status: success when the head plans, failure when its specs are invalid.
func postPreview(ctx context.Context, env *cmdEnv, fg forge.Forge, pv *preview.Preview, f *previewFlags) error {
	c, err := fg.UpsertComment(ctx, f.pr, preview.Marker, preview.Markdown(pv, forge.GitHubLimit))
	if err != nil {
		return fmt.Errorf("post preview comment: %w", err)
	}
	verb := "updated"
	if c.Created {
		verb = "created"
	}
	fmt.Fprintf(env.stderr, "Preview comment %s: %s\n", verb, c.URL)
	state := forge.Success
	if !pv.Valid() {
		state = forge.Failure
	}
	if err := fg.SetStatus(ctx, pv.Head.Revision, state, f.statusContext, preview.StatusLine(pv), cmp.Or(f.statusTarget, c.URL)); err != nil {
		return fmt.Errorf("set commit status: %w", err)
	}
	return nil
}
