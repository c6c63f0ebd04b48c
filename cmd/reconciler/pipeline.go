package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

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
	// hostKey is a pinned ssh host key (run's --ssh-host-key, for its previews).
	hostKey      string
	concurrency  int
	pollInterval time.Duration
	retry        backoff.Policy
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

// registerPlanFlags registers the flags of every command that plans: the repository, the
// output format, --now and the retry of API reads.
func (f *pipelineFlags) registerPlanFlags(fs *pflag.FlagSet) {
	registerRepoFlags(fs, f)
	fs.StringVar(&f.ref, "ref", "", "the branch to read from a git repository (default main)")
	registerOutputFlag(fs, &f.output, "text", "text, json or markdown")
	fs.StringVar(&f.now, "now", "", "evaluate windows and ages at this time (RFC 3339) instead of the clock")
	registerRetryFlags(fs, &f.retry)
}

// registerRepoFlags registers --repo and the ssh flags of the commands that take a repository.
func registerRepoFlags(fs *pflag.FlagSet, f *pipelineFlags) {
	fs.StringVar(&f.repo, "repo", ".", "the repository: a local directory, or a git URL (https://, ssh://, file://, user@host:path)")
	registerSSHFlags(fs, &f.sshKey, &f.knownHosts)
}

// registerSSHFlags registers --ssh-key and --known-hosts: what an ssh remote needs.
func registerSSHFlags(fs *pflag.FlagSet, key, knownHosts *string) {
	fs.StringVar(key, "ssh-key", "", "private key file for ssh remotes (ssh:// or user@host:path)")
	fs.StringVar(knownHosts, "known-hosts", "", "known_hosts file the ssh server's key is checked against")
}

// registerOutputFlag registers -o/--output; formats ("text, json or markdown") are also what
// shell completion offers.
func registerOutputFlag(fs *pflag.FlagSet, output *string, def, formats string) {
	fs.StringVarP(output, "output", "o", def, "output format: "+formats)
	_ = fs.SetAnnotation("output", outputFormatsAnnotation, strings.FieldsFunc(formats, func(r rune) bool { return r == ',' || r == ' ' }))
}

// outputFormatsAnnotation holds, on an output flag, the formats it takes (minus "or").
const outputFormatsAnnotation = "reconciler/output-formats"

// registerApplyFlags registers the flags of the commands that change clusters (apply, rotate).
func (f *pipelineFlags) registerApplyFlags(fs *pflag.FlagSet) {
	fs.IntVar(&f.concurrency, "concurrency", 4, "clusters applied at once")
	fs.DurationVar(&f.pollInterval, "poll-interval", 5*time.Second, "delay between two observations while waiting")
}

// registerRetryFlags registers --retry-attempts, --retry-base and --retry-max into p, defaulting
// to backoff.Default: the retry of one API call, at the one layer that retries it (the adapter's
// reads, apply's mutations).
func registerRetryFlags(fs *pflag.FlagSet, p *backoff.Policy) {
	fs.IntVar(&p.Attempts, "retry-attempts", backoff.Default.Attempts, "tries of one API call on transient errors (429, 5xx, 409 transient_state)")
	fs.DurationVar(&p.Base, "retry-base", backoff.Default.Base, "first retry delay (doubles, with jitter)")
	fs.DurationVar(&p.Max, "retry-max", backoff.Default.Max, "longest retry delay")
}

// gitAuth is the git credentials of the environment and the ssh flags of pf.
func gitAuth(env *cmdEnv, pf *pipelineFlags) source.Auth {
	a := source.Auth{Token: env.getenv("GIT_TOKEN"), Username: env.getenv("GIT_USERNAME"), Password: env.getenv("GIT_PASSWORD"),
		SSHKeyFile: pf.sshKey, KnownHostsFile: pf.knownHosts}
	if pf.hostKey != "" {
		a.HostKey = []byte(pf.hostKey)
	}
	return a
}

// checkSSHFlags refuses an ssh remote without --ssh-key, or without --known-hosts (nor a pinned
// host key): said with the flags' names, before any I/O.
func checkSSHFlags(repo, sshKey, knownHosts string, pinned bool) error {
	if !looksSSH(repo) {
		return nil
	}
	if sshKey == "" {
		return fmt.Errorf("--repo %s is an ssh remote: it needs --ssh-key FILE (the private key)", source.SanitizeURL(repo))
	}
	if knownHosts == "" && !pinned {
		return fmt.Errorf("--repo %s is an ssh remote: it needs --known-hosts FILE (unknown host keys are never accepted)", source.SanitizeURL(repo))
	}
	return nil
}

// looksSSH tells an ssh remote (ssh://, user@host:path) from the others.
func looksSSH(repo string) bool {
	if strings.HasPrefix(repo, "ssh://") || strings.HasPrefix(repo, "git+ssh://") {
		return true
	}
	return !strings.Contains(repo, "://") && looksRemote(repo)
}

// fetchRepo fetches the repository pf names: a local directory read as it is, or, for a URL
// (https://, ssh://, file://, user@host:path) or with --ref, a git branch fetched into a
// throw-away shallow clone (GIT_TOKEN or GIT_USERNAME/GIT_PASSWORD for https) that pf.cleanup
// removes. owner is the repository's default identity (source.Identity; for a directory, that of
// its git origin and branch, "" when unknown); src is the git source (nil for a directory).
func fetchRepo(ctx context.Context, env *cmdEnv, pf *pipelineFlags) (co *checkout.Checkout, owner string, src *source.Source, err error) {
	pf.cleanup = func() {}
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
		return nil, "", nil, fmt.Errorf("fetch: %w", err)
	}
	return co, src.Identity(), src, nil
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
	var now time.Time
	var err error
	if pf.now != "" {
		if now, err = time.Parse(time.RFC3339, pf.now); err != nil {
			return nil, fmt.Errorf("--now: %w", err)
		}
	}
	if err := scaleway.CheckConfigured(nil); err != nil {
		return nil, err // before any network I/O
	}
	eng, err := engine.New(engine.Config{APIURL: env.getenv("SCW_API_URL"), UserAgentVersion: readBuildVersion().userAgentVersion(),
		Retry: pf.retry, Log: pf.log,
		Concurrency: pf.concurrency, PollInterval: pf.pollInterval,
		Progress: func(ev apply.Event) { fmt.Fprintln(env.stderr, ev.Message) }})
	if err != nil {
		return nil, err
	}
	r := eng.Reconciler()
	r.Now = now
	return r, nil
}

// planPass wires the reconciler from pf, fetches and loads the repository, and plans one pass.
// The checkout and, for a git URL, its source stay in pf (apply commits statuses through them);
// unless pf.keepClone, a temporary clone is removed once the specs are loaded.
func planPass(ctx context.Context, env *cmdEnv, pf *pipelineFlags) (*reconcile.Reconciler, *reconcile.Pass, error) {
	pf.cleanup = func() {} // callers may defer it whatever fails first
	if err := plan.CheckFormat(pf.output); err != nil {
		return nil, nil, fmt.Errorf("-o: %w", err) // before any I/O
	}
	if err := checkSSHFlags(pf.repo, pf.sshKey, pf.knownHosts, false); err != nil {
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
	pf.checkout, pf.src, r.Owner = co, src, owner
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
