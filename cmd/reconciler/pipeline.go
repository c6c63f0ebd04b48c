package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/engine"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// pipelineFlags are the flags plan, apply and rotate share.
type pipelineFlags struct {
	repo, ref, output, now string
	sshKey, knownHosts     string
	// owner is --owner: the operator's identity for the repository ("" : derived from its URL).
	owner string
	// hostKey is a pinned ssh host key (run's --ssh-host-key, for its previews).
	hostKey      string
	concurrency  int
	pollInterval time.Duration
	// kubeconfigEndpoint is --kubeconfig-endpoint (apply, rotate): public or vpc.
	kubeconfigEndpoint string
	retry              backoff.Policy
	// log receives drain and rotation detail (rotate only); nil discards it.
	log *slog.Logger
	// cleanup removes what fetchRepo made (a temporary clone). planPass calls it, unless
	// keepClone (apply commits statuses through the clone afterwards).
	cleanup   func()
	keepClone bool
	// checkout and src are what planPass fetched (src: the git source, nil for a directory).
	checkout *checkout.Checkout
	src      *source.Source
}

// fetchRepo fetches the repository pf names: a local directory read as it is, or, for a URL
// (https://, ssh://, file://, user@host:path) or with --ref, a git branch fetched into a
// throw-away shallow clone (GIT_TOKEN or GIT_USERNAME/GIT_PASSWORD for https) that pf.cleanup
// removes. owner is the repository's default identity (source.Identity; for a directory, that of
// its git origin and branch, "" when unknown); src is the git source (nil for a directory).
func fetchRepo(ctx context.Context, env *cmdEnv, pf *pipelineFlags) (co *checkout.Checkout, owner string, src *source.Source, err error) {
	pf.cleanup = func() {}
	if !looksRemote(pf.repo) {
		if err := checkLocalRepo(pf.repo); err != nil {
			return nil, "", nil, err
		}
	}
	if pf.ref == "" && !looksRemote(pf.repo) {
		co, err := checkout.Dir(pf.repo)
		return co, source.LocalIdentity(pf.repo), nil, err
	}
	cache, err := os.MkdirTemp("", "reconciler-plan-")
	if err != nil {
		return nil, "", nil, err
	}
	pf.cleanup = func() { os.RemoveAll(cache) }
	src, err = source.New(source.Options{URL: pf.repo, Branch: cmp.Or(pf.ref, "main"), CacheDir: cache,
		Auth: gitAuth(env, pf)})
	if err != nil {
		return nil, "", nil, err
	}
	if co, err = src.Fetch(ctx); err != nil {
		return nil, "", nil, fetchError("--ref", cmp.Or(pf.ref, "main"), pf.repo, err)
	}
	return co, src.Identity(), src, nil
}

// fetchError says a failed fetch of ref (the value of flag) from repo with the flag to change:
// a branch the repository lacks, or no repository at the URL. Other errors already say what
// and where (source: fetch "<ref>" from <url>: …).
func fetchError(flag, ref, repo string, err error) error {
	url := source.SanitizeURL(repo)
	switch {
	case errors.Is(err, source.ErrBranchNotFound):
		return fmt.Errorf("%s %s: no branch %q in %s (hint: pass an existing branch with %s; an empty repository has none until a first push)", flag, ref, ref, url, flag)
	case errors.Is(err, source.ErrRepositoryNotFound) && !looksRemote(repo):
		return fmt.Errorf("--repo %s: not a git repository (hint: --ref and preview read a git repository: a local one needs its .git; or pass a git URL)", repo)
	case errors.Is(err, source.ErrRepositoryNotFound):
		return fmt.Errorf("--repo %s: repository not found (hint: check the URL; a private repository needs GIT_TOKEN, or GIT_USERNAME and GIT_PASSWORD)", url)
	}
	return err
}

// checkLocalRepo refuses a local --repo that is not a directory, as validate does.
func checkLocalRepo(repo string) error {
	if st, err := os.Stat(repo); err != nil || !st.IsDir() {
		return fmt.Errorf("--repo %s is not a directory", repo)
	}
	return nil
}

// looksRemote tells a git URL from a local directory.
func looksRemote(repo string) bool {
	if strings.Contains(repo, "://") {
		return true
	}
	at, colon := strings.Index(repo, "@"), strings.Index(repo, ":")
	return at > 0 && colon > at && !strings.Contains(repo[:at], "/")
}

// wireReconciler wires the pass: the Scaleway provider from the scw profile and SCW_* env
// (SCW_API_URL points it at the emulator), and an executor printing progress on stderr.
func wireReconciler(env *cmdEnv, pf *pipelineFlags) (*reconcile.Reconciler, error) {
	now, err := parseNow(pf.now)
	if err != nil {
		return nil, err
	}
	if err := scaleway.CheckConfigured(nil); err != nil {
		return nil, err // before any network I/O
	}
	eng, err := engine.New(engine.Config{APIURL: env.getenv("SCW_API_URL"), UserAgentVersion: readBuildVersion().userAgentVersion(),
		Retry: pf.retry, Log: pf.log,
		Concurrency: pf.concurrency, PollInterval: pf.pollInterval, KubeconfigEndpoint: pf.kubeconfigEndpoint,
		Progress: func(ev apply.Event) { fmt.Fprintln(env.stderr, ev.Message) }})
	if err != nil {
		return nil, err
	}
	r := eng.Reconciler()
	r.Now = now
	return r, nil
}

// parseNow reads --now (RFC 3339); "" is the zero time (the clock).
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	now, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %s: not an RFC 3339 time (e.g. 2026-12-06T02:30:00+01:00)", s)
	}
	return now, nil
}

// planPass wires the reconciler from pf, fetches and loads the repository, and plans one pass.
// The checkout and, for a git URL, its source stay in pf (apply commits statuses through them);
// unless pf.keepClone, a temporary clone is removed once the specs are loaded.
func planPass(ctx context.Context, env *cmdEnv, pf *pipelineFlags) (*reconcile.Reconciler, *reconcile.Pass, error) {
	pf.cleanup = func() {} // callers may defer it whatever fails first
	if err := plan.CheckFormat(pf.output); err != nil {
		return nil, nil, fmt.Errorf("-o: %w", err) // before any I/O
	}
	if err := checkKubeconfigEndpoint(pf.kubeconfigEndpoint); err != nil {
		return nil, nil, err
	}
	if err := checkSSHFlags(pf.repo, pf.sshKey, pf.knownHosts, false); err != nil {
		return nil, nil, err
	}
	if err := checkOwnerFlag(pf.owner); err != nil {
		return nil, nil, err
	}
	r, err := wireReconciler(env, pf)
	if err != nil {
		return nil, nil, err
	}
	co, owner, src, err := fetchRepo(ctx, env, pf)
	if !pf.keepClone {
		defer pf.cleanup()
	}
	if err != nil {
		return nil, nil, err
	}
	pf.checkout, pf.src, r.Owner = co, src, cmp.Or(pf.owner, owner)
	repo, err := spec.Load(co.FS)
	if err != nil {
		return nil, nil, err // an ErrorList: every problem with file, line and path; no wrapping
	}
	pass, err := r.Plan(ctx, co, repo)
	if err != nil {
		return nil, nil, err
	}
	return r, pass, nil
}
