package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// leaseFlags choose how `run` makes sure it is the one writer of its repository.
type leaseFlags struct {
	mode     string
	duration time.Duration
	holder   string
	ref      string // default gitlease.Ref(branch); a shard's with --shard-id
}

func (l *leaseFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.mode, "lease", "git", "one writer per repository: git (a lease in refs/reconciler/lease/<branch>; without it the loop only plans) or none")
	fs.DurationVar(&l.duration, "lease-duration", gitlease.DefaultDuration, "with --lease git: how long a renewal holds the lease (renewed every third of it)")
	fs.StringVar(&l.holder, "lease-holder", "", "with --lease git: this process's id in the lease (default: hostname-pid-random)")
}

// startLease makes r a follower unless it holds the git lease of its spec branch, renewed in the
// background; stop, called once the loop has returned, ends the renewals and releases the lease.
func startLease(ctx context.Context, env *cmdEnv, f *runFlags, r *runner.Runner, log *slog.Logger) (stop func(), err error) {
	switch f.lease.mode {
	case "none":
		return func() {}, nil
	case "git":
	default:
		return nil, fmt.Errorf("--lease %q: want git or none", f.lease.mode)
	}
	if f.lease.duration < 3*time.Second {
		return nil, fmt.Errorf("--lease-duration %s: want at least 3s", f.lease.duration)
	}
	if strings.ContainsAny(f.lease.holder, "\n\r") {
		return nil, fmt.Errorf("--lease-holder: must be one line")
	}
	src, err := leaseSource(env, f, log)
	if err != nil {
		return nil, err
	}
	l := &gitlease.Lease{Store: src, Ref: cmp.Or(f.lease.ref, gitlease.Ref(f.branch)), Holder: cmp.Or(f.lease.holder, gitlease.NewHolder()),
		Duration: f.lease.duration, Log: log}
	r.Leader = l
	// A first round before the loop starts: a free lease makes the first tick a leader's; one
	// taken later triggers a pass at once.
	if _, err := l.Try(ctx); err != nil {
		log.Warn("lease", "err", err)
	}
	l.OnAcquire = func() { r.Trigger(runner.TriggerLeading) }
	stop = runInBackground(ctx, l.Run, log.Warn, "lease")
	fmt.Fprintf(env.stderr, "reconciler run: lease %s as %q (%s); planning only until it is held\n", l.Ref, l.Holder, l.Duration)
	return stop, nil
}

// leaseSource is the git source leases are written through: it has its own cache, so a renewal
// never waits behind a fetch or a status push.
func leaseSource(env *cmdEnv, f *runFlags, log *slog.Logger) (*source.Source, error) {
	lf := *f
	if lf.cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("--cache-dir: %w", err)
		}
		lf.cacheDir = filepath.Join(base, "reconciler", "git")
	}
	lf.cacheDir = filepath.Join(lf.cacheDir, "lease")
	return newGitSource(env, &lf, log)
}

// checkLease refuses, for a git URL, while a live lease says a `run` loop writes to the branch
// (unless ignore); for a local directory it cannot know and says nothing.
func checkLease(ctx context.Context, src *source.Source, ignore bool) error {
	if src == nil || ignore {
		return nil
	}
	ref := gitlease.Ref(src.Branch())
	rec, err := gitlease.Holding(ctx, src, ref, time.Now())
	if err != nil {
		return fmt.Errorf("%w (--ignore-lease to apply anyway)", err)
	}
	if rec == nil {
		// Sharded loops (run --shards N --shard-id K) hold refs/reconciler/shard-lease/<branch>/K.
		for k := 0; k < maxShardLeases && rec == nil; k++ {
			ref = gitlease.ShardRef(src.Branch(), k)
			cur, err := src.ReadRef(ctx, ref)
			if err != nil {
				return fmt.Errorf("read lease %s: %w (--ignore-lease to apply anyway)", ref, err)
			}
			if cur.Hash == "" {
				break // shards are numbered from 0: the first absent one ends them
			}
			if rec, err = gitlease.Holding(ctx, src, ref, time.Now()); err != nil {
				return fmt.Errorf("%w (--ignore-lease to apply anyway)", err)
			}
		}
	}
	if rec != nil {
		return fmt.Errorf("a `reconciler run` loop writes to this branch: %w; stop it, or pass --ignore-lease to apply anyway",
			&gitlease.HeldError{Ref: ref, Record: *rec})
	}
	return nil
}

// maxShardLeases bounds the shard leases `apply` looks at.
const maxShardLeases = 64
