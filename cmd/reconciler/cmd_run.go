package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/engine"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

func init() { register(newRunCmd) }

// defaultRunListen is the default address of run's /healthz, /readyz, /metrics and /webhook
// (the emulator's is 127.0.0.1:8081).
const defaultRunListen = ":8080"

// runFlags are the `run` command's settings.
type runFlags struct {
	repo, branch, statusBranch, cacheDir  string
	interval, driftInterval, pollInterval time.Duration
	listen, webhookSecretFile             string
	sshKey, knownHosts, hostKey           string
	owner                                 string
	authorName, authorEmail               string
	signKeyFile, verifyKeyRingFile        string
	concurrency                           int
	kubeconfigEndpoint                    string
	// previewForge (gitea|github) turns pull_request webhooks into posted previews.
	previewForge, forgeURL, forgeRepo string
	previewForks                      bool
	lease                             leaseFlags  // run_lease.go
	health                            healthFlags // run_health.go
	leader                            leaderFlags // run_leader.go
	shard                             shardFlags  // run_shard.go
}

func newRunCmd(env *cmdEnv) *cobra.Command {
	f := &runFlags{}
	c := &cobra.Command{
		Use:   "run",
		Short: "The loop: pull, plan, apply, cron rotations, write status back; webhook, /metrics, /healthz",
		Long: `Run is the reconciler's loop: it fetches the branch every --interval (at once on a push
webhook), plans and applies, observes live state every --drift-interval when Git is quiet,
rotates nodes within their windows and commits statuses and reports back to the repository.
It serves /healthz, /readyz, /metrics and, with --webhook-secret-file, /webhook on --listen.

One writer per repository: a git lease (--lease git, the default) or a Kubernetes Lease
(--leader-elect); without it the loop only plans.

HTTPS credentials come from GIT_TOKEN, or GIT_USERNAME and GIT_PASSWORD; ssh remotes take
--ssh-key and --known-hosts (or --ssh-host-key). Scaleway's come from the scw profile and the
SCW_* variables.`,
		Example: `  reconciler run --repo https://git.example.com/fleet.git --ref main
  reconciler run --repo git@git.example.com:acme/fleet.git --ssh-key /etc/reconciler/id_ed25519 --known-hosts /etc/reconciler/known_hosts
  reconciler run --repo https://git.example.com/fleet.git --webhook-secret-file secret --leader-elect --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := f.check(); err != nil {
				return err
			}
			return exit(runRun(c.Context(), env, f))
		},
	}
	f.register(c.Flags())
	return c
}

func (f *runFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.repo, "repo", "", "git remote URL (https://, ssh://, file:// or a local path); required")
	fs.StringVar(&f.branch, "ref", "main", "the branch holding the specs")
	fs.StringVar(&f.branch, "branch", "main", "the branch holding the specs")
	_ = fs.MarkDeprecated("branch", "use --ref")
	fs.StringVar(&f.statusBranch, "status-branch", "", "branch status and reports are committed to (default: --ref)")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "where the shallow clone is kept between ticks (default: the user cache dir)")
	fs.DurationVar(&f.interval, "interval", time.Minute, "time between two fetches (with 10% jitter)")
	fs.DurationVar(&f.driftInterval, "drift-interval", 10*time.Minute, "how often live state is observed when Git is quiet")
	fs.DurationVar(&f.pollInterval, "poll-interval", 5*time.Second, "delay between two observations while waiting for the API")
	fs.IntVar(&f.concurrency, "concurrency", 4, "clusters applied at once")
	registerKubeconfigEndpointFlag(fs, &f.kubeconfigEndpoint)
	fs.StringVar(&f.listen, "listen", defaultRunListen, "address of /healthz, /readyz, /metrics and /webhook (empty: none)")
	fs.StringVar(&f.webhookSecretFile, "webhook-secret-file", "", "file holding the push webhook's shared secret (required for /webhook)")
	fs.StringVar(&f.previewForge, "preview-forge", "", "post a plan preview on each pull request into --ref (pull_request webhooks): gitea or github; token from FORGE_TOKEN")
	fs.StringVar(&f.forgeURL, "forge-url", "", "with --preview-forge: Gitea's root URL (default: from --repo) or GitHub's API URL")
	fs.StringVar(&f.forgeRepo, "forge-repo", "", "with --preview-forge: owner/name on the forge (default: from --repo)")
	fs.BoolVar(&f.previewForks, "preview-forks", false, "with --preview-forge: also preview pull requests from forks (they would read live facts planned with this loop's credentials)")
	registerSSHFlags(fs, &f.sshKey, &f.knownHosts)
	fs.StringVar(&f.hostKey, "ssh-host-key", "", "pinned ssh host key (\"ssh-ed25519 AAAA…\"), instead of --known-hosts")
	registerOwnerFlag(fs, &f.owner)
	fs.StringVar(&f.authorName, "author-name", "reconciler", "author name of status commits")
	fs.StringVar(&f.authorEmail, "author-email", "reconciler@localhost", "author e-mail of status commits")
	fs.StringVar(&f.signKeyFile, "sign-key", "", "armored OpenPGP private key that signs status commits")
	fs.StringVar(&f.verifyKeyRingFile, "verify-keyring", "", "armored OpenPGP public keys: only heads signed by one of them are applied")
	f.lease.register(fs)
	f.health.register(fs)
	f.leader.register(fs)
	f.shard.register(fs)
}

// check refuses settings that cannot work, before any I/O.
func (f *runFlags) check() error {
	if f.repo == "" {
		return errors.New("--repo is required")
	}
	if err := checkKubeconfigEndpoint(f.kubeconfigEndpoint); err != nil {
		return err
	}
	if err := checkOwnerFlag(f.owner); err != nil {
		return err
	}
	return checkSSHFlags(f.repo, f.sshKey, f.knownHosts, f.hostKey != "")
}

// parseRunFlags parses run's flags alone (deploy_args_test checks the manifests' arguments):
// the flags, or nil and the exit code after saying why on env.stderr.
func parseRunFlags(env *cmdEnv, args []string) (*runFlags, int) {
	f := &runFlags{}
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SetOutput(env.stderr)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(env.stderr, "Error: %v\n", err)
		return nil, 1
	}
	if err := checkFlagValues(fs); err != nil {
		fmt.Fprintf(env.stderr, "Error: %v\n", err)
		return nil, 1
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "Error: unexpected argument %q\n", fs.Arg(0))
		return nil, 1
	}
	if err := f.check(); err != nil {
		fmt.Fprintf(env.stderr, "Error: %v\n", err)
		return nil, 1
	}
	return f, -1
}

func runRun(ctx context.Context, env *cmdEnv, f *runFlags) int {
	log, err := f.health.logger(env.stderr)
	if err != nil {
		return fail(env, err)
	}
	if err := scaleway.CheckConfigured(nil); err != nil {
		return fail(env, err) // before any network I/O
	}
	r, reg, err := newRunner(env, f, log)
	if err != nil {
		return fail(env, err)
	}
	stopLease, err := startWriterLease(ctx, env, f, r, log) // run_leader.go
	if err != nil {
		return fail(env, err)
	}
	defer stopLease()
	r.ReadyFailures = f.health.readyFailures
	if f.listen != "" {
		srv, err := startServer(ctx, env, f, r, reg, log)
		if err != nil {
			return fail(env, err)
		}
		defer srv.Close()
	}
	if err := r.RunWithSchedule(ctx, &runner.Scheduler{Runner: r}); err != nil {
		return fail(env, err)
	}
	logShutdown(ctx, log)
	return 0
}

func newRunner(env *cmdEnv, f *runFlags, log *slog.Logger) (*runner.Runner, *prometheus.Registry, error) {
	src, err := newGitSource(env, f, log)
	if err != nil {
		return nil, nil, err
	}
	eng, err := engine.New(engine.Config{APIURL: env.getenv("SCW_API_URL"), UserAgentVersion: readBuildVersion().userAgentVersion(), Log: log,
		Concurrency: f.concurrency, PollInterval: f.pollInterval, KubeconfigEndpoint: f.kubeconfigEndpoint})
	if err != nil {
		return nil, nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r := eng.Runner(src)
	r.Interval, r.DriftInterval = f.interval, f.driftInterval
	r.Author = source.Author{Name: f.authorName, Email: f.authorEmail}
	r.Owner = f.owner
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
			h.AllowForks(f.previewForks)
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
