package main

import (
	"context"
	"fmt"

	"k8s.io/client-go/kubernetes"

	"github.com/scaleway-gitops/reconciler/pkg/kubelease"
)

// runInBackground runs run on a context of its own, detached from ctx's cancellation: a lease
// outlives the loop (cancelled on SIGTERM) until the returned stop, called after the loop
// returned, cancels it and waits for run to return (releasing the lease). A run error is logged
// with logf and msg.
func runInBackground(ctx context.Context, run func(context.Context) error, logf func(msg string, args ...any), msg string) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := run(ctx); err != nil {
			logf(msg, "err", err)
		}
	}()
	return func() { cancel(); <-done }
}

// leaseClient is the Kubernetes client and namespace of --leader-elect's Leases: --namespace, else
// the pod's own namespace.
func leaseClient(l *leaderFlags) (kubernetes.Interface, string, error) {
	client, err := kubelease.NewClient(l.kubeconfig, l.renewDeadline/2)
	if err != nil {
		return nil, "", fmt.Errorf("--leader-elect: %w", err)
	}
	ns := l.namespace
	if ns == "" {
		ns = kubelease.PodNamespace(kubelease.ServiceAccountNamespaceFile)
	}
	return client, ns, nil
}
