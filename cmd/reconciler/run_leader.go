package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/kubelease"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
)

// leaderFlags are `run --leader-elect`'s settings: one writer among replicas through a
// coordination.k8s.io/v1 Lease.
type leaderFlags struct {
	enabled                                   bool
	namespace, name, kubeconfig               string
	leaseDuration, renewDeadline, retryPeriod time.Duration
}

func (l *leaderFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&l.enabled, "leader-elect", false, "one writer among replicas: only the holder of a Kubernetes Lease applies and commits; the others plan (replaces --lease)")
	fs.StringVar(&l.namespace, "leader-elect-namespace", "", "namespace of the Lease (default: the pod's, else \"default\")")
	fs.StringVar(&l.name, "leader-elect-name", kubelease.DefaultName, "name of the Lease")
	fs.DurationVar(&l.leaseDuration, "leader-elect-lease-duration", kubelease.DefaultLeaseDuration, "how long followers wait before taking over a Lease that is not renewed")
	fs.DurationVar(&l.renewDeadline, "leader-elect-renew-deadline", kubelease.DefaultRenewDeadline, "how long the leader retries renewing before it stops leading")
	fs.DurationVar(&l.retryPeriod, "leader-elect-retry-period", kubelease.DefaultRetryPeriod, "time between two attempts to acquire or renew")
	fs.StringVar(&l.kubeconfig, "kubeconfig", "", "with --leader-elect out of a cluster: the kubeconfig file of the cluster holding the Lease (default: in-cluster config)")
}

// startWriterLease takes `run`'s one-writer lease: the Kubernetes Lease with --leader-elect (the
// git lease of --lease is then not taken), else the git lease (run_lease.go). stop must be called
// after the loop returned.
func startWriterLease(ctx context.Context, env *cmdEnv, f *runFlags, r *runner.Runner, log *slog.Logger) (stop func(), err error) {
	if f.shard.enabled() {
		return startSharding(ctx, env, f, r, log) // run_shard.go
	}
	if f.leader.enabled {
		return startLeaderElection(&f.leader, r, log)
	}
	return startLease(ctx, env, f, r, log)
}

// startLeaderElection, with --leader-elect, makes the Lease the Leadership of r (whatever
// other lease was set) and campaigns in the background. The returned release must be called
// after the loop returned: it stops campaigning and releases the Lease, so a replica takes over
// at once. Without --leader-elect it does nothing.
func startLeaderElection(l *leaderFlags, r *runner.Runner, log *slog.Logger) (release func(), err error) {
	if !l.enabled {
		return func() {}, nil
	}
	client, ns, err := leaseClient(l)
	if err != nil {
		return nil, err
	}
	e, err := kubelease.New(kubelease.Config{Client: client, Namespace: ns, Name: l.name,
		LeaseDuration: l.leaseDuration, RenewDeadline: l.renewDeadline, RetryPeriod: l.retryPeriod,
		Log: log.With("component", "leader-election"), OnLeading: func() { r.Trigger(runner.TriggerLeading) }})
	if err != nil {
		return nil, fmt.Errorf("--leader-elect: %w", err)
	}
	r.Leader = e
	stop := runInBackground(context.Background(), e.Run, log.Error, "leader election stopped")
	log.Info("leader election", "lease", ns+"/"+l.name, "identity", e.Identity())
	return stop, nil
}
