package engine

import (
	"cmp"
	"log/slog"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/drain"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/rotator"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
)

// Config is everything an entry point chooses; the zero value is the production default.
type Config struct {
	// APIURL overrides the API endpoint (SCW_API_URL: the emulator); Credentials replace the
	// scw profile and SCW_* environment; UserAgentVersion names the build in the user agent.
	APIURL           string
	Credentials      *scaleway.Credentials
	UserAgentVersion string
	// Retry is the policy of every API call and of the drainer's eviction backoff (its Base and
	// Max); zero fields take backoff.Default's.
	Retry backoff.Policy
	// Clock drives waits, retries and rotation (default: the real clock).
	Clock clock.WithTicker
	// Log receives the executor's, the rotator's and the drainer's detail; nil discards it.
	Log *slog.Logger
	// Concurrency is how many clusters are applied at once (default 4); PollInterval the delay
	// between two observations while waiting (default 5s); ProgressEvery how often a long wait
	// reports (default the executor's).
	Concurrency   int
	PollInterval  time.Duration
	ProgressEvery time.Duration
	// Progress receives apply's events (a command prints them); nil drops them.
	Progress func(apply.Event)
	// KubeconfigEndpoint is the API server endpoint drains connect to: "" or public (default),
	// or vpc (the cluster's private endpoint, for a reconciler inside its VPC when the cluster's
	// ACLs lock public access).
	KubeconfigEndpoint string
}

// Engine is a provider and an executor wired from one Config.
type Engine struct {
	Provider *scaleway.Provider
	Exec     *apply.Executor
	clock    clock.WithTicker
	log      *slog.Logger
}

// New builds the provider (its reads retried with c.Retry), the executor (its mutations retried
// with c.Retry) and the node rotator (drains through each cluster's kubeconfig from the API,
// evictions backed off with c.Retry's Base and Max).
func New(c Config) (*Engine, error) {
	retry := c.Retry.Or(backoff.Default)
	clk := c.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	opts := []scaleway.Option{scaleway.WithReadRetry(retry), scaleway.WithClock(clk)}
	if c.APIURL != "" {
		opts = append(opts, scaleway.WithAPIURL(c.APIURL))
	}
	if c.Credentials != nil {
		opts = append(opts, scaleway.WithCredentials(*c.Credentials))
	}
	if c.UserAgentVersion != "" {
		opts = append(opts, scaleway.WithVersion(c.UserAgentVersion))
	}
	if c.KubeconfigEndpoint != "" {
		opts = append(opts, scaleway.WithKubeconfigEndpoint(c.KubeconfigEndpoint))
	}
	prov, err := scaleway.New(opts...)
	if err != nil {
		return nil, err
	}
	poll := cmp.Or(c.PollInterval, 5*time.Second)
	dopts := drain.Options{PollInterval: poll, RetryDelay: retry.Base, MaxRetryDelay: retry.Max}
	// One NodeRotator drains for rotate-node and replace-pool alike (one Drainer per cluster).
	nr := &rotator.NodeRotator{Rotator: &rotator.Rotator{
		Provider: prov, NewDrainer: rotator.KubeDrainerFactory(dopts, clk, c.Log),
		Clock: clk, Log: c.Log, PollInterval: poll,
	}}
	exec := &apply.Executor{
		Provider: prov, Clock: clk, Log: c.Log, Concurrency: cmp.Or(c.Concurrency, 4), Progress: c.Progress,
		Options: apply.Options{PollInterval: poll, ProgressEvery: c.ProgressEvery, Retry: retry},
		Rotator: nr, Drainer: nr,
	}
	return &Engine{Provider: prov, Exec: exec, clock: clk, log: c.Log}, nil
}

// Reconciler is a reconciler on the engine: node rotation planned, the profile's project and
// region for specs that name none.
func (e *Engine) Reconciler() *reconcile.Reconciler {
	return &reconcile.Reconciler{Provider: e.Provider, Exec: e.Exec, Clock: e.clock, Log: e.log, Rotate: true,
		DefaultProjectID: e.Provider.DefaultProjectID(), DefaultRegion: e.Provider.DefaultRegion()}
}

// Runner is the loop on the engine, reading and committing through src; the caller sets the
// loop's own settings (intervals, author, metrics, notifications).
func (e *Engine) Runner(src runner.GitSource) *runner.Runner {
	return &runner.Runner{Source: src, Provider: e.Provider, Exec: e.Exec, Clock: e.clock, Log: e.log,
		DefaultProjectID: e.Provider.DefaultProjectID(), DefaultRegion: e.Provider.DefaultRegion()}
}
