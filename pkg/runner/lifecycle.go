package runner

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/forge"
	"github.com/scaleway-gitops/reconciler/pkg/lifecycle"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/repofs"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Lifecycle runs the lifecycle pull requests after each pass of the leader
// (reconciler.yaml lifecycle.pullRequests; pkg/lifecycle decides them):
//
//   - a wanted pull request is written to its cluster's branch (force-pushed, one commit over the
//     base branch) and opened, or its open pull request edited when its title or body changed;
//   - an open pull request on a lifecycle branch that is no longer wanted (the spec was merged or
//     edited to the target, the cluster is gone) is closed with a comment saying why.
//
// A nil Runner.Lifecycle is the zero Lifecycle: reconciler.yaml decides (pull requests are off
// on an unknown forge, and quietly off without a token unless lifecycle.pullRequests is set).
// The forge token comes from the environment or a file named in reconciler.yaml, never from the
// repository, and is never logged. A forge failure is reported (Notify "error") and retried at
// the next pass; it does not fail the tick.
type Lifecycle struct {
	// RepoURL is where the specs are read from (default: the source's URL), to derive the forge
	// and owner/name; Branch the branch reconciled (default: the source's).
	RepoURL, Branch string
	// New makes the forge client (default forge.NewPullRequests).
	New func(kind string, o forge.Options) (forge.PullRequests, error)
	// Getenv and ReadFile read the token (default os.Getenv, os.ReadFile).
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
	// Author of the branch commits (default source.DefaultAuthor).
	Author source.Author
}

// planAtPrefix starts the plan renderer's timestamp line; bodies that differ only there are the same.
const planAtPrefix = "Revision `"

// runLifecycle opens, edits and closes the lifecycle pull requests for the pass.
func (r *Runner) runLifecycle(ctx context.Context, now time.Time, pass *reconcile.Pass) {
	if pass == nil || pass.Plan == nil || pass.Repo == nil || r.state.good == nil {
		return
	}
	if err := r.lifecycle(ctx, now, pass, r.state.good.checkout); err != nil {
		r.notify("error", "lifecycle pull requests: %v", err)
	}
}

func (r *Runner) lifecycle(ctx context.Context, now time.Time, pass *reconcile.Pass, co *checkout.Checkout) error {
	l := r.Lifecycle
	if l == nil {
		l = &Lifecycle{}
	}
	repo := pass.Repo
	url, branch := l.RepoURL, l.Branch
	if src, ok := r.Source.(interface {
		URL() string
		Branch() string
	}); ok {
		url, branch = cmp.Or(url, src.URL()), cmp.Or(branch, src.Branch())
	}
	cfg := lifecycle.Resolve(repo.Settings, url, branch)
	if !cfg.Enabled {
		if p := repo.Settings.Lifecycle; cfg.Explicit && (p.PullRequests.Enabled == nil || *p.PullRequests.Enabled) {
			return fmt.Errorf("off: %s", cfg.Off) // asked for in reconciler.yaml: say why nothing is opened
		}
		return nil
	}
	token, err := l.token(cfg)
	if err != nil {
		if !cfg.Explicit {
			return nil // a forge guessed from the URL, and no token: not asked for
		}
		return err
	}
	newPRs := l.New
	if newPRs == nil {
		newPRs = forge.NewPullRequests
	}
	prs, err := newPRs(cfg.Forge, forge.Options{URL: cfg.URL, Repo: cfg.Repo, Token: token})
	if err != nil {
		return err
	}
	in := lifecycle.Input{Clusters: repo.Clusters, Files: map[string][]byte{}, Snapshots: pass.Snapshots, Now: now,
		DaysBeforeDeprecation: cfg.DaysBeforeDeprecation}
	for _, c := range repo.Clusters {
		if _, ok := in.Files[c.Source.File]; !ok {
			b, err := repofs.ReadFile(co.FS, c.Source.File, 1<<20)
			if err != nil {
				return fmt.Errorf("read %s: %w", c.Source.File, err)
			}
			in.Files[c.Source.File] = b
		}
	}
	props, problems := lifecycle.Decide(in)
	if props, problems, err = r.withTargets(ctx, in, props, problems); err != nil {
		return err
	}
	var errs []error
	for _, p := range problems {
		errs = append(errs, p)
	}
	// One listing per pass: what is open on the lifecycle branches.
	list, err := prs.OpenPulls(ctx)
	if err != nil {
		return err
	}
	open := map[string]*forge.Pull{}
	for i := range list {
		if strings.HasPrefix(list[i].Head, lifecycle.BranchPrefix) {
			open[list[i].Head] = &list[i]
		}
	}
	wanted := map[string]bool{}
	for _, p := range props {
		wanted[p.Branch] = true
		if err := r.proposeOne(ctx, prs, cfg, co, pass, p, open[p.Branch]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Cluster, err))
		}
	}
	if err := r.closeUnwanted(ctx, prs, repo, wanted, open); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// withTargets asks the provider for the available versions of the clusters an upgrade is
// proposed for (Observe does not: one call per cluster) and decides again with them.
func (r *Runner) withTargets(ctx context.Context, in lifecycle.Input, props []lifecycle.Proposal, problems []error) ([]lifecycle.Proposal, []error, error) {
	av, ok := r.Provider.(interface {
		AvailableVersions(ctx context.Context, region, id string) ([]string, error)
	})
	if !ok || !slices.ContainsFunc(props, func(p lifecycle.Proposal) bool { return p.Kind == lifecycle.Upgrade }) {
		return props, problems, nil
	}
	snaps := make([]*cloud.Snapshot, len(in.Snapshots))
	for i, s := range in.Snapshots {
		cp := *s
		cp.Clusters = slices.Clone(s.Clusters)
		snaps[i] = &cp
		for j := range cp.Clusters {
			c := &cp.Clusters[j]
			if !slices.ContainsFunc(props, func(p lifecycle.Proposal) bool {
				return p.Kind == lifecycle.Upgrade && p.Cluster == c.Name && p.Region == cp.Ref.Region
			}) || c.AvailableVersions != nil { // the pass already read them (a planned hop)
				continue
			}
			vs, err := av.AvailableVersions(ctx, c.Region, c.ID)
			if err != nil {
				return nil, nil, err
			}
			c.AvailableVersions = vs
		}
	}
	in.Snapshots = snaps
	props, problems = lifecycle.Decide(in)
	return props, problems, nil
}

// proposeOne pushes the proposal's branch and opens or edits its pull request, with the plan
// of the proposed revision as the preview in its body.
func (r *Runner) proposeOne(ctx context.Context, prs forge.PullRequests, cfg lifecycle.Config, co *checkout.Checkout, pass *reconcile.Pass, p lifecycle.Proposal, open *forge.Pull) error {
	var author source.Author
	if r.Lifecycle != nil {
		author = r.Lifecycle.Author
	}
	author = cmp.Or(author, r.Author)
	if author.Name == "" || author.Email == "" {
		author = source.DefaultAuthor
	}
	msg := p.Title + "\n\n" + stripMarkdown(p.Why) + "\n"
	pushed, err := prs.PushBranch(ctx, forge.BranchCommit{Base: cfg.BaseBranch, Branch: p.Branch, Message: msg,
		Files: map[string][]byte{p.File: p.Content}, Unchanged: source.OwnedDirs, AuthorName: author.Name, AuthorEmail: author.Email, When: r.clock().Now()})
	if err != nil {
		return err
	}
	body := p.Why + "\n\n" + r.proposalPreview(ctx, co, pass, p, pushed.Head, cfg.BaseBranch)
	if open != nil && open.Title == p.Title && sameBody(open.Body, body) {
		return nil
	}
	pr, err := prs.UpsertPull(ctx, forge.PullRequest{Head: p.Branch, Base: cfg.BaseBranch, Title: p.Title, Body: body})
	if err != nil {
		return err
	}
	verb := "updated"
	if pr.Created {
		verb = "opened"
	}
	r.notify("lifecycle", "%s pull request #%d for %s (%s %s → %s)", verb, pr.Number, p.Cluster, p.Kind, p.From, p.To)
	return nil
}

// proposalPreview plans the proposed revision against the pass's observation and renders the
// preview Markdown the pull-request previews use.
func (r *Runner) proposalPreview(ctx context.Context, co *checkout.Checkout, pass *reconcile.Pass, p lifecycle.Proposal, head, base string) string {
	pv := &preview.Preview{FormatVersion: preview.FormatVersion, Base: preview.Rev{Ref: base, Revision: co.Revision},
		Head: preview.Rev{Ref: p.Branch, Revision: head}, Files: []string{p.File}}
	proposed := &checkout.Checkout{Revision: head, Branch: p.Branch, FS: overlay{FS: co.FS, path: p.File, data: p.Content}}
	repo, err := spec.Load(proposed.FS)
	if err != nil {
		var list spec.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				pv.Errors = append(pv.Errors, e.Error())
			}
		} else {
			pv.Errors = []string{err.Error()}
		}
		return preview.Markdown(pv, forge.GitHubLimit-len(p.Why)-100)
	}
	// Without node rotation: the preview is about the version, and a rotation calendar (relative
	// to now) would change the body at every pass.
	rec := r.reconciler(pass.Plan.Now)
	rec.Rotate = false
	basePass, err := rec.PlanObserved(ctx, co, pass.Repo, pass.Snapshots)
	if err != nil {
		pv.BaseError = err.Error()
	}
	headPass, err := rec.PlanObserved(ctx, proposed, repo, pass.Snapshots)
	if err != nil {
		pv.Errors = []string{err.Error()}
		return preview.Markdown(pv, forge.GitHubLimit-len(p.Why)-100)
	}
	pv.Plan = headPass.Plan
	if basePass != nil {
		pv.Compared = preview.Compare(basePass.Plan, headPass.Plan)
	}
	return preview.Markdown(pv, forge.GitHubLimit-len(p.Why)-100)
}

// closeUnwanted closes the open pull requests on this repository's lifecycle branches that no
// proposal wants any more.
func (r *Runner) closeUnwanted(ctx context.Context, prs forge.PullRequests, repo *spec.Repo, wanted map[string]bool, openPulls map[string]*forge.Pull) error {
	var errs []error
	for _, c := range repo.Clusters {
		b := lifecycle.Branch(c.Spec.Region, c.Metadata.Name)
		open := openPulls[b]
		if wanted[b] || open == nil {
			continue
		}
		why := fmt.Sprintf("Closed by the reconciler: no longer needed. `spec.version` of %s is now `%s`, and no upgrade is due.", c.Metadata.Name, c.Spec.Version)
		if err := prs.ClosePull(ctx, open.Number, why); err != nil {
			errs = append(errs, err)
			continue
		}
		r.notify("lifecycle", "closed pull request #%d for %s: no longer needed", open.Number, c.Metadata.Name)
	}
	return errors.Join(errs...)
}

// token reads the forge token from the file or the environment variable the config names.
func (l *Lifecycle) token(cfg lifecycle.Config) (string, error) {
	if cfg.TokenFile != "" {
		read := l.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		b, err := read(cfg.TokenFile)
		if err != nil {
			return "", fmt.Errorf("read the forge token file: %w", err)
		}
		if t := strings.TrimSpace(string(b)); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("the forge token file %s is empty", cfg.TokenFile)
	}
	get := l.Getenv
	if get == nil {
		get = os.Getenv
	}
	if t := strings.TrimSpace(get(cfg.TokenEnv)); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("no forge token: set %s (or lifecycle.pullRequests.tokenFile)", cfg.TokenEnv)
}

// sameBody compares two bodies ignoring the plan's "planned at" line (it moves every pass).
func sameBody(a, b string) bool { return dropPlannedAt(a) == dropPlannedAt(b) }

func dropPlannedAt(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.HasPrefix(l, planAtPrefix) && strings.Contains(l, "· planned at ") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// stripMarkdown drops the emphasis and code marks of a body paragraph for a commit message.
func stripMarkdown(s string) string { return strings.NewReplacer("**", "", "`", "").Replace(s) }

// overlay is fsys with one file's content replaced (the proposed spec file).
type overlay struct {
	fs.FS
	path string
	data []byte
}

func (o overlay) Open(name string) (fs.File, error) {
	if name != o.path {
		return o.FS.Open(name)
	}
	f, err := o.FS.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, err
	}
	return &overlayFile{Reader: bytes.NewReader(o.data), info: overlayInfo{FileInfo: st, size: int64(len(o.data))}}, nil
}

func (o overlay) Stat(name string) (fs.FileInfo, error) {
	st, err := fs.Stat(o.FS, name)
	if err != nil || name != o.path {
		return st, err
	}
	return overlayInfo{FileInfo: st, size: int64(len(o.data))}, nil
}

func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(o.FS, name)
	if err != nil {
		return nil, err
	}
	for i, e := range es {
		if p := joinPath(name, e.Name()); p == o.path {
			if st, err := o.Stat(p); err == nil {
				es[i] = fs.FileInfoToDirEntry(st)
			}
		}
	}
	return es, nil
}

func joinPath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

type overlayFile struct {
	*bytes.Reader
	info overlayInfo
}

func (f *overlayFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *overlayFile) Close() error               { return nil }

var _ io.Reader = (*overlayFile)(nil)

type overlayInfo struct {
	fs.FileInfo
	size int64
}

func (i overlayInfo) Size() int64 { return i.size }
