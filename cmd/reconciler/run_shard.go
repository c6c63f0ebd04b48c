package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/kubelease"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
)

// shardFlags split the fleet among replicas: each cluster belongs to one of --shards shards (a
// stable hash of "<region>/<name>"), and a replica works on the shards it holds only.
type shardFlags struct {
	count, id int
}

// register adds run's sharding flags to fs.
func (s *shardFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&s.count, "shards", 1, "split the fleet into this many shards by a stable hash of <region>/<name>; each replica plans, applies and writes the status of its shards' clusters only")
	s.id = -1
	fs.Var((*shardID)(&s.id), "shard-id", "with --shards: the one shard this replica works on (0 to shards-1); omitted, replicas share the shards through one lease per shard (with --leader-elect the Leases <leader-elect-name>-shard-K, else the git refs refs/reconciler/shard-lease/<branch>/K)")
}

// shardID is --shard-id's value: -1 (omitted) renders as "", so -h shows no "(default -1)".
type shardID int

func (v *shardID) String() string {
	if *v < 0 {
		return ""
	}
	return strconv.Itoa(int(*v))
}

func (v *shardID) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a shard number", s)
	}
	*v = shardID(n)
	return nil
}

func (*shardID) Type() string { return "int" }

func (s *shardFlags) enabled() bool { return s.count > 1 || s.id >= 0 }

// startSharding makes r work on its shards and takes their writer leases; stop must be called
// after the loop returned. Static (--shard-id K): shard K, written by one process at a time
// through the git lease refs/reconciler/shard-lease/<branch>/K or, with --leader-elect, the
// Lease <name>-shard-K. Shared (no --shard-id): kubelease.ShardSet with --leader-elect, else
// gitlease.ShardSet.
func startSharding(ctx context.Context, env *cmdEnv, f *runFlags, r *runner.Runner, log *slog.Logger) (stop func(), err error) {
	s := f.shard
	if s.id < 0 {
		if err := shard.Check(s.count, 0); err != nil {
			return nil, fmt.Errorf("--shards: %w", err)
		}
		if f.leader.enabled {
			return startShardLeases(f, r, log)
		}
		if f.lease.mode != "git" {
			return nil, errors.New("--shards without --shard-id shares the shards through leases: use --lease git or --leader-elect, or give each replica its --shard-id")
		}
		return startGitShardLeases(ctx, env, f, r, log)
	}
	if err := shard.Check(s.count, s.id); err != nil {
		return nil, fmt.Errorf("--shards/--shard-id: %w", err)
	}
	r.Shards = runner.StaticShards{Count: s.count, Held: []int{s.id}}
	log.Info("sharding", "shards", s.count, "shard", s.id)
	if f.leader.enabled {
		l := f.leader
		l.name += "-shard-" + strconv.Itoa(s.id)
		return startLeaderElection(&l, r, log)
	}
	lf := *f
	lf.lease.ref = gitlease.ShardRef(f.branch, s.id)
	return startLease(ctx, env, &lf, r, log)
}

// startShardLeases campaigns for shards through kubelease.ShardSet: r works on those it holds,
// and passes at once when they change. The returned stop releases them.
func startShardLeases(f *runFlags, r *runner.Runner, log *slog.Logger) (stop func(), err error) {
	l := f.leader
	client, ns, err := leaseClient(&l)
	if err != nil {
		return nil, err
	}
	set, err := kubelease.NewShards(kubelease.ShardConfig{Client: client, Namespace: ns, Name: l.name, Shards: f.shard.count,
		LeaseDuration: l.leaseDuration, RenewDeadline: l.renewDeadline, RetryPeriod: l.retryPeriod,
		Log: log.With("component", "shard-leases"), OnChange: func() { r.Trigger("shards") }})
	if err != nil {
		return nil, fmt.Errorf("--leader-elect: %w", err)
	}
	r.Shards = set
	stop = runInBackground(context.Background(), set.Run, log.Error, "shard leases")
	log.Info("shard leases", "leases", ns+"/"+l.name+"-shard-0.."+strconv.Itoa(f.shard.count-1), "identity", set.Identity())
	return stop, nil
}

// startGitShardLeases shares the shards through git leases (gitlease.ShardSet): r works on those
// it holds, and passes at once when they change. The returned stop releases them.
func startGitShardLeases(ctx context.Context, env *cmdEnv, f *runFlags, r *runner.Runner, log *slog.Logger) (stop func(), err error) {
	if f.lease.duration < 3*time.Second {
		return nil, fmt.Errorf("--lease-duration %s: want at least 3s", f.lease.duration)
	}
	src, err := leaseSource(env, f, log)
	if err != nil {
		return nil, err
	}
	set := &gitlease.ShardSet{Store: src, Branch: f.branch, Holder: cmp.Or(f.lease.holder, gitlease.NewHolder()),
		Count: f.shard.count, Duration: f.lease.duration, Log: log.With("component", "shard-leases"),
		OnChange: func() { r.Trigger("shards") }}
	r.Shards = set
	stop = runInBackground(ctx, set.Run, log.Warn, "shard leases")
	log.Info("shard leases", "refs", gitlease.ShardRef(f.branch, 0)+"..", "shards", f.shard.count, "holder", set.Holder)
	return stop, nil
}
