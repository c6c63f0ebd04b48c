package scaleway

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"sync"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"
	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

var _ cloud.Provider = (*Provider)(nil)

// Provider is the cloud.Provider over the Scaleway K8s API. Create it with New; it is safe for
// concurrent use.
type Provider struct {
	client *scw.Client
	api    *k8s.API
	secret string // only for redaction; never returned

	defaultProject, defaultRegion string

	retry backoff.Policy   // per-request retry of reads
	clock clock.WithTicker // what the read retry sleeps on
	// endpoint is the API server endpoint the kubeconfig names: "" (the API's default, public)
	// or "vpc" (the private one, for a reconciler inside the VPC when ACLs lock public access).
	endpoint k8s.GetClusterKubeConfigRequestEndpoint
	// observeConcurrency bounds the clusters whose pools and nodes Observe reads at once.
	observeConcurrency int

	// warm fetches GET /metadata once before the first call: the SDK caches it in the client
	// without a lock, so letting concurrent first calls fill it would race.
	warm sync.Once
}

type options struct {
	client     *scw.Client
	apiURL     string
	version    string
	httpClient *http.Client
	secret     string
	creds      *Credentials
	retry      backoff.Policy
	clock      clock.WithTicker
	endpoint   string
	observe    int
}

// Credentials are explicit values layered over the profile and environment (the demo uses fake
// ones against the embedded emulator). Empty fields keep the profile's value.
type Credentials struct {
	AccessKey, SecretKey, ProjectID, Region string
}

// WithCredentials sets explicit credentials and defaults over the profile and environment.
func WithCredentials(c Credentials) Option { return func(o *options) { o.creds = &c } }

// Option configures New.
type Option func(*options)

// WithClient uses c as is (no config file, no environment). Tests use it; give the secret with
// WithSecret if errors must be redacted. Reads are still retried, but a Retry-After is only seen
// when c's HTTP client came from New (WithClient leaves c's transport alone).
func WithClient(c *scw.Client) Option { return func(o *options) { o.client = c } }

// WithSecret names a secret to redact from errors when the client comes from WithClient.
func WithSecret(s string) Option { return func(o *options) { o.secret = s } }

// WithAPIURL overrides the API URL of the profile and environment (tests, the emulator).
func WithAPIURL(u string) Option { return func(o *options) { o.apiURL = u } }

// WithVersion sets the product version sent in the user agent as "reconciler/<version>".
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// WithHTTPClient sets the HTTP client (timeouts, transport).
func WithHTTPClient(h *http.Client) Option { return func(o *options) { o.httpClient = h } }

// Kubeconfig endpoints (GetClusterKubeConfig's endpoint).
const (
	KubeconfigPublic = "public"
	KubeconfigVPC    = "vpc"
)

// WithKubeconfigEndpoint makes Kubeconfig ask for the API server's public (default) or vpc
// endpoint: drains from inside the VPC when the cluster's ACLs lock public access.
func WithKubeconfigEndpoint(e string) Option { return func(o *options) { o.endpoint = e } }

// DefaultObserveConcurrency is how many clusters' pools and nodes Observe reads at once: a fleet
// of hundreds is observed in a fraction of the serial time, while the API sees a handful of
// requests in flight from one reconciler (each retried on 429 with the read backoff).
const DefaultObserveConcurrency = 8

// WithObserveConcurrency sets how many clusters' pools and nodes Observe reads at once (1:
// one after the other; default DefaultObserveConcurrency).
func WithObserveConcurrency(n int) Option { return func(o *options) { o.observe = n } }

// New builds the provider from the scw config profile merged under the SCW_* environment.
func New(opts ...Option) (*Provider, error) {
	o := options{version: "dev", clock: clock.RealClock{}}
	for _, opt := range opts {
		opt(&o)
	}
	switch o.endpoint {
	case "", KubeconfigPublic, KubeconfigVPC:
	default:
		return nil, fmt.Errorf("unknown kubeconfig endpoint %q: use public or vpc", o.endpoint)
	}
	if o.client != nil {
		return newProvider(o.client, o.secret, o), nil
	}
	profile, err := loadProfile()
	if err != nil {
		return nil, err
	}
	if c := o.creds; c != nil {
		set := func(dst **string, v string) {
			if v != "" {
				*dst = &v
			}
		}
		set(&profile.AccessKey, c.AccessKey)
		set(&profile.SecretKey, c.SecretKey)
		set(&profile.DefaultProjectID, c.ProjectID)
		set(&profile.DefaultRegion, c.Region)
	}
	secret := deref(profile.SecretKey)
	copts := []scw.ClientOption{scw.WithProfile(profile), scw.WithUserAgent("reconciler/" + o.version)}
	if o.apiURL != "" {
		copts = append(copts, scw.WithAPIURL(o.apiURL))
	}
	copts = append(copts, scw.WithHTTPClient(withRetryAfter(o.httpClient, o.clock.Now)))
	client, err := scw.NewClient(copts...)
	if err != nil {
		return nil, fmt.Errorf("scaleway client: %w", redact(err, secret))
	}
	return newProvider(client, secret, o), nil
}

func newProvider(c *scw.Client, secret string, o options) *Provider {
	p := &Provider{client: c, api: k8s.NewAPI(c), secret: secret, retry: o.retry.Or(backoff.Default), clock: o.clock,
		endpoint: k8s.GetClusterKubeConfigRequestEndpoint(o.endpoint), observeConcurrency: cmp.Or(max(o.observe, 0), DefaultObserveConcurrency)}
	if v, ok := c.GetDefaultProjectID(); ok {
		p.defaultProject = v
	}
	if v, ok := c.GetDefaultRegion(); ok {
		p.defaultRegion = string(v)
	}
	return p
}

// loadProfile returns the active profile of the config file (if any) overridden by the
// environment, the way scaleway-cli and the Terraform provider merge them.
func loadProfile() (*scw.Profile, error) {
	env := scw.LoadEnvProfile()
	base := &scw.Profile{}
	cfg, err := loadConfig()
	var notFound *scw.ConfigFileNotFoundError
	switch {
	case errors.As(err, &notFound):
	case err != nil:
		return nil, fmt.Errorf("load scaleway config: %w", redactConfigError(redact(err, deref(env.SecretKey))))
	default:
		active, err := cfg.GetActiveProfile()
		if err != nil {
			return nil, fmt.Errorf("scaleway config profile: %w", redactConfigError(redact(err, deref(env.SecretKey))))
		}
		base = active
	}
	return scw.MergeProfiles(base, env), nil
}

// DefaultProjectID is the profile's default project ("" when none); spec defaults use it.
func (p *Provider) DefaultProjectID() string { return p.defaultProject }

// DefaultRegion is the profile's default region ("" when none).
func (p *Provider) DefaultRegion() string { return p.defaultRegion }

func (p *Provider) warmUp() {
	p.warm.Do(func() { _, _ = p.client.GetAPIMetadata() })
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
