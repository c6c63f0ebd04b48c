package main

import (
	"log/slog"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/drain"
	"github.com/scaleway-gitops/reconciler/pkg/rotator"
)

// rotatorOptions tune the node rotator; zero fields keep the defaults of pkg/rotator and
// pkg/drain.
type rotatorOptions struct {
	// PollInterval is how often pods, nodes and the replacement are re-read while waiting.
	PollInterval time.Duration
	// Evict shapes the backoff after a refused eviction (429, a PDB): its Base and Max; zero
	// fields keep pkg/drain's defaults. The drain's timeout bounds it, not Attempts.
	Evict backoff.Policy
	// Log receives drain and rotation progress; nil discards it.
	Log *slog.Logger
}

// newNodeRotator is the executor's rotate-node implementation for plan, apply, rotate and run:
// drains through pkg/drain with each cluster's kubeconfig from the Scaleway API, replaces
// through prov, waits for the replacement in both. One per pass (or per loop: it refreshes a
// cluster's kubeconfig after rotator.NodeRotator.DrainerTTL).
func newNodeRotator(prov cloud.Provider, o rotatorOptions) apply.NodeRotator {
	clk := clock.RealClock{}
	dopts := drain.Options{PollInterval: o.PollInterval, RetryDelay: o.Evict.Base, MaxRetryDelay: o.Evict.Max}
	return &rotator.NodeRotator{Rotator: &rotator.Rotator{
		Provider:     prov,
		NewDrainer:   rotator.KubeDrainerFactory(dopts, clk, o.Log),
		Clock:        clk,
		Log:          o.Log,
		PollInterval: o.PollInterval,
	}}
}
