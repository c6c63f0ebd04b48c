package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// The flags several commands share, registered the same way everywhere: one name, one text.

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
	registerOwnerFlag(fs, &f.owner)
}

// registerOwnerFlag registers --owner: the repository's identity, set by the operator.
func registerOwnerFlag(fs *pflag.FlagSet, owner *string) {
	fs.StringVar(owner, "owner", "", "this repository's identity, tagged on the clusters it owns (default: derived from the repository URL and branch); reconciler.yaml owner: must match it")
}

// checkOwnerFlag refuses an --owner that cannot be a tag value, before any I/O.
func checkOwnerFlag(owner string) error {
	if owner != "" && !spec.ValidOwner(owner) {
		return fmt.Errorf("--owner %q: 1 to 63 characters: lowercase letters, digits, '.', '_' and '-', starting and ending with a letter or digit", owner)
	}
	return nil
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
	registerKubeconfigEndpointFlag(fs, &f.kubeconfigEndpoint)
}

// registerKubeconfigEndpointFlag registers --kubeconfig-endpoint: the API server endpoint the
// commands that drain nodes (run, apply, rotate) connect to.
func registerKubeconfigEndpointFlag(fs *pflag.FlagSet, endpoint *string) {
	fs.StringVar(endpoint, "kubeconfig-endpoint", scaleway.KubeconfigPublic,
		"API server endpoint node drains connect to: public, or vpc (from inside the cluster's VPC when its ACLs lock public access)")
}

// checkKubeconfigEndpoint refuses a --kubeconfig-endpoint other than public or vpc, before any I/O.
func checkKubeconfigEndpoint(e string) error {
	switch e {
	case "", scaleway.KubeconfigPublic, scaleway.KubeconfigVPC:
		return nil
	}
	return fmt.Errorf("--kubeconfig-endpoint %q: use %s or %s", e, scaleway.KubeconfigPublic, scaleway.KubeconfigVPC)
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

// flagFloors are the least value of the count flags; below it a command refuses, before any
// I/O (the layers below would put their default in its place without a word).
var flagFloors = map[string]struct {
	min  int64
	says string
}{
	"concurrency":    {1, "must be at least 1"},
	"retry-attempts": {1, "must be at least 1 (1: no retry)"},
	"quota-clusters": {0, "must be 0 (unlimited) or more"},
	"quota-pools":    {0, "must be 0 (unlimited) or more"},
}

// positiveDurations are the delay flags that must be positive, for the same reason.
var positiveDurations = []string{"poll-interval", "retry-base", "retry-max", "interval", "drift-interval"}

// checkFlagValues refuses a count or delay flag set on the command line to a value that cannot
// work, naming it.
func checkFlagValues(fs *pflag.FlagSet) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		if floor, ok := flagFloors[f.Name]; ok {
			if n, perr := strconv.ParseInt(f.Value.String(), 10, 64); perr == nil && n < floor.min {
				err = fmt.Errorf("--%s %d: %s", f.Name, n, floor.says)
			}
		}
		if slices.Contains(positiveDurations, f.Name) {
			if d, perr := time.ParseDuration(f.Value.String()); perr == nil && d <= 0 {
				err = fmt.Errorf("--%s %s: must be positive", f.Name, d)
			}
		}
	})
	return err
}
