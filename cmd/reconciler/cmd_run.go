package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/scaleway-gitops/reconciler/pkg/engine"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

func init() {
	register(&command{
		name:    "run",
		summary: "the loop: pull, plan, apply, cron rotations, write status back; webhook, /metrics, /healthz",
		run:     runRun,
	})
}

// runFlags are the `run` command's settings.
type runFlags struct {
	repo, branch, statusBranch, cacheDir  string
	interval, driftInterval, pollInterval time.Duration
	listen, webhookSecretFile             string
	sshKey, knownHosts, hostKey           string
	authorName, authorEmail               string
	signKeyFile, verifyKeyRingFile        string
	concurrency                           int
	// previewForge (gitea|github) turns pull_request webhooks into posted previews.
	previewForge, forgeURL, forgeRepo string
	lease                             leaseFlags  // run_lease.go
	health                            healthFlags // run_health.go
	leader                            leaderFlags // run_leader.go
}

func parseRunFlags(env *cmdEnv, args []string) (*runFlags, int) {
	f := &runFlags{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.StringVar(&f.repo, "repo", "", "git remote URL (https://, ssh://, file:// or a local path); required")
	fs.StringVar(&f.branch, "branch", "main", "branch holding the specs")
	fs.StringVar(&f.statusBranch, "status-branch", "", "branch status and reports are committed to (default: --branch)")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "where the shallow clone is kept between ticks (default: the user cache dir)")
	fs.DurationVar(&f.interval, "interval", time.Minute, "time between two fetches (with 10% jitter)")
	fs.DurationVar(&f.driftInterval, "drift-interval", 10*time.Minute, "how often live state is observed when Git is quiet")
	fs.DurationVar(&f.pollInterval, "poll-interval", 5*time.Second, "delay between two observations while waiting for the API")
	fs.IntVar(&f.concurrency, "concurrency", 4, "clusters applied at once")
	fs.StringVar(&f.listen, "listen", ":8080", "address of /healthz, /readyz, /metrics and /webhook (empty: none)")
	fs.StringVar(&f.webhookSecretFile, "webhook-secret-file", "", "file holding the push webhook's shared secret (required for /webhook)")
	fs.StringVar(&f.previewForge, "preview-forge", "", "post a plan preview on each pull request into --branch (pull_request webhooks): gitea or github; token from FORGE_TOKEN")
	fs.StringVar(&f.forgeURL, "forge-url", "", "with --preview-forge: Gitea's root URL (default: from --repo) or GitHub's API URL")
	fs.StringVar(&f.forgeRepo, "forge-repo", "", "with --preview-forge: owner/name on the forge (default: from --repo)")
	fs.StringVar(&f.sshKey, "ssh-key", "", "private key file for ssh remotes")
	fs.StringVar(&f.knownHosts, "known-hosts", "", "known_hosts file the ssh server's key is checked against")
	fs.StringVar(&f.hostKey, "ssh-host-key", "", "pinned ssh host key (\"ssh-ed25519 AAAA…\"), instead of --known-hosts")
	fs.StringVar(&f.authorName, "author-name", "reconciler", "author name of status commits")
	fs.StringVar(&f.authorEmail, "author-email", "reconciler@localhost", "author e-mail of status commits")
	fs.StringVar(&f.signKeyFile, "sign-key", "", "armored OpenPGP private key that signs status commits")
	fs.StringVar(&f.verifyKeyRingFile, "verify-keyring", "", "armored OpenPGP public keys: only heads signed by one of them are applied")
	f.lease.register(fs)
	f.health.register(fs)
	f.leader.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: reconciler run --repo URL [--branch main] [--interval 1m] [--listen :8080]")
		fmt.Fprintln(env.stderr, "\nHTTPS credentials come from GIT_TOKEN, or GIT_USERNAME and GIT_PASSWORD; Scaleway's from the scw profile and SCW_* variables.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0
		}
		return nil, 1
	}
	if f.repo == "" || fs.NArg() > 0 {
		fmt.Fprintln(env.stderr, "reconciler run: --repo is required (and takes no arguments)")
		return nil, 1
	}
	return f, -1
}

func runRun(ctx context.Context, env *cmdEnv, args []string) int {
	f, code := parseRunFlags(env, args)
	if f == nil {
		return code
	}
	log, err := f.health.logger(env.stderr)
	if err != nil {
		fmt.Fprintf(env.stderr, "reconciler run: %v\n", err)
		return 1
	}
	r, reg, err := newRunner(env, f, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "reconciler run: %v\n", err)
		return 1
	}
	stopLease, err := startWriterLease(ctx, env, f, r, log) // run_leader.go
	if err != nil {
		fmt.Fprintf(env.stderr, "reconciler run: %v\n", err)
		return 1
	}
	defer stopLease()
	r.ReadyFailures = f.health.readyFailures
	if f.listen != "" {
		srv, err := startServer(ctx, env, f, r, reg, log)
		if err != nil {
			fmt.Fprintf(env.stderr, "reconciler run: %v\n", err)
			return 1
		}
		defer srv.Close()
	}
	if err := r.RunWithSchedule(ctx, &runner.Scheduler{Runner: r}); err != nil {
		fmt.Fprintf(env.stderr, "reconciler run: %v\n", err)
		return 1
	}
	logShutdown(ctx, log)
	return 0
}

func newRunner(env *cmdEnv, f *runFlags, log *slog.Logger) (*runner.Runner, *prometheus.Registry, error) {
	src, err := newGitSource(env, f, log)
	if err != nil {
		return nil, nil, err
	}
	eng, err := engine.New(engine.Config{APIURL: env.getenv("SCW_API_URL"), Log: log,
		Concurrency: f.concurrency, PollInterval: f.pollInterval})
	if err != nil {
		return nil, nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r := eng.Runner(src)
	r.Interval, r.DriftInterval = f.interval, f.driftInterval
	r.Author = source.Author{Name: f.authorName, Email: f.authorEmail}
	r.Metrics = runner.NewMetrics(reg)
	return r, reg, nil
}

func newGitSource(env *cmdEnv, f *runFlags, log *slog.Logger) (*source.Source, error) {
	cache := f.cacheDir
	if cache == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("--cache-dir: %w", err)
		}
		cache = filepath.Join(base, "reconciler", "git")
	}
	auth := source.Auth{Token: env.getenv("GIT_TOKEN"), Username: env.getenv("GIT_USERNAME"),
		Password: env.getenv("GIT_PASSWORD"), SSHKeyFile: f.sshKey, KnownHostsFile: f.knownHosts}
	if f.hostKey != "" {
		auth.HostKey = []byte(f.hostKey)
	}
	o := source.Options{URL: f.repo, Branch: f.branch, TargetBranch: f.statusBranch, CacheDir: cache, Auth: auth, Log: log}
	if f.signKeyFile != "" {
		b, err := os.ReadFile(f.signKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--sign-key: %w", err)
		}
		k, err := source.ReadSigningKey(b, []byte(env.getenv("RECONCILER_SIGN_KEY_PASSPHRASE")))
		if err != nil {
			return nil, fmt.Errorf("--sign-key: %w", err)
		}
		o.Signer = k
	}
	if f.verifyKeyRingFile != "" {
		b, err := os.ReadFile(f.verifyKeyRingFile)
		if err != nil {
			return nil, fmt.Errorf("--verify-keyring: %w", err)
		}
		o.VerifyKeyRing = string(b)
	}
	src, err := source.New(o)
	if err != nil {
		return nil, err
	}
	// One process per cache: the lock is held until the process exits.
	if err := src.LockCache(); err != nil {
		return nil, err
	}
	return src, nil
}

func startServer(ctx context.Context, env *cmdEnv, f *runFlags, r *runner.Runner, reg *prometheus.Registry, log *slog.Logger) (*http.Server, error) {
	var hook http.Handler
	if f.previewForge != "" && f.webhookSecretFile == "" {
		return nil, fmt.Errorf("--preview-forge needs --webhook-secret-file (previews are triggered by pull_request webhooks)")
	}
	if f.webhookSecretFile != "" {
		secret, err := os.ReadFile(f.webhookSecretFile)
		if err != nil {
			return nil, fmt.Errorf("--webhook-secret-file: %w", err)
		}
		h, err := newWebhook(secret, f.branch, r, log)
		if err != nil {
			return nil, err
		}
		if f.previewForge != "" {
			pr, err := startPreviewer(ctx, env, f, log)
			if err != nil {
				return nil, err
			}
			h.OnPullRequest(pr)
		}
		hook = h
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	srv := runner.NewServer(runner.Handler(r, reg, hook))
	go srv.Serve(ln)
	fmt.Fprintf(env.stderr, "reconciler run: serving /healthz, /readyz, /metrics%s on %s\n", map[bool]string{true: ", /webhook", false: ""}[hook != nil], ln.Addr())
	return srv, nil
}

// newWebhook verifies push webhooks (GitHub X-Hub-Signature-256, Gitea X-Gitea-Signature) and
// triggers a tick at once when the watched branch moved.
func newWebhook(secret []byte, branch string, r *runner.Runner, log *slog.Logger) (*webhook.Handler, error) {
	h, err := webhook.New(bytes.TrimSpace(secret), branch, func(p webhook.Push) { r.Trigger("webhook") }, log)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	return h, nil
}
