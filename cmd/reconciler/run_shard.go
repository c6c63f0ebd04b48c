package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

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
	fs.IntVar(&s.id, "shard-id", -1, "with --shards: the one shard this replica works on (0 to shards-1); omitted with --leader-elect, replicas share the shards through one Lease per shard (<leader-elect-name>-shard-K)")
}

func (s *shardFlags) enabled() bool { return s.count > 1 || s.id >= 0 }

// startSharding makes r work on its shards and takes their writer leases; stop must be called
// after the loop returned. Static (--shard-id K): shard K, written by one process at a time
// through the git lease refs/reconciler/shard-lease/<branch>/K or, with --leader-elect, the
// Lease <name>-shard-K. Automatic (--leader-elect, no --shard-id): kubelease.ShardSet.
func startSharding(ctx context.Context, env *cmdEnv, f *runFlags, r *runner.Runner, log *slog.Logger) (stop func(), err error) {
	s := f.shard
	if s.id < 0 {
		if !f.leader.enabled {
			return nil, errors.New("--shards without --shard-id needs --leader-elect (shards are shared through Kubernetes Leases); without Kubernetes give each replica its --shard-id")
		}
		if err := shard.Check(s.count, 0); err != nil {
			return nil, fmt.Errorf("--shards: %w", err)
		}
		return startShardLeases(f, r, log)
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
	client, err := kubelease.NewClient(l.kubeconfig, l.renewDeadline/2)
	if err != nil {
		return nil, fmt.Errorf("--leader-elect: %w", err)
	}
	ns := l.namespace
	if ns == "" {
		ns = kubelease.PodNamespace(kubelease.ServiceAccountNamespaceFile)
	}
	set, err := kubelease.NewShards(kubelease.ShardConfig{Client: client, Namespace: ns, Name: l.name, Shards: f.shard.count,
		LeaseDuration: l.leaseDuration, RenewDeadline: l.renewDeadline, RetryPeriod: l.retryPeriod,
		Log: log.With("component", "shard-leases"), OnChange: func() { r.Trigger("shards") }})
	if err != nil {
		return nil, fmt.Errorf("--leader-elect: %w", err)
	}
	r.Shards = set
	// Its own context: the Leases outlive the loop's (cancelled on SIGTERM) until stop.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := set.Run(ctx); err != nil {
			log.Error("shard leases", "err", err)
		}
	}()
	log.Info("shard leases", "leases", ns+"/"+l.name+"-shard-0.."+strconv.Itoa(f.shard.count-1), "identity", set.Identity())
	return func() { cancel(); <-done }, nil
}
