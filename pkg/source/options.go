package source

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
)

// Options configure a Source. URL, CacheDir are required.
type Options struct {
	// URL of the remote: https://, http://, ssh://, scp-like user@host:path,
	// file:// or a plain local path. User info in an http(s) URL is used as
	// basic auth (when Auth has none) and is never stored or printed.
	URL string
	// Branch holds the specs. Default "main".
	Branch string
	// TargetBranch receives status and reports. Default Branch. When it does not
	// exist on the remote, the first Commit creates it from Branch's head.
	TargetBranch string
	// CacheDir holds the bare shallow clone between ticks (a subdirectory per
	// URL and branch is created inside it).
	CacheDir string
	Auth     Auth

	// Signer, when set, signs every commit the reconciler makes.
	Signer *SigningKey
	// VerifyKeyRing, when set (armored OpenPGP public keys), makes Fetch refuse a
	// head commit that is not signed by one of these keys (*UnsignedCommitError).
	// The reconciler's own status commits are heads too: sign them with a key in
	// this ring (Signer) or write them to another TargetBranch.
	VerifyKeyRing string

	// Timeout bounds each network operation. Default 2m.
	Timeout time.Duration
	// PushRetry bounds Commit's fetch-rebuild-push rounds (Attempts) and shapes
	// the jittered exponential wait between rejected pushes; zero fields are
	// DefaultPushRetry's.
	PushRetry backoff.Policy
	// CompactEvery compacts the cache (one pack, history cut to the current
	// tips) after this many operations that brought or made objects. Default 20.
	CompactEvery int

	Clock clock.WithTicker // default clock.RealClock{}
	Rand  func() float64   // in [0,1), for jitter; default math/rand/v2
	Log   *slog.Logger     // default: discard
}

// DefaultPushRetry is the retry of a push that lost a race: quick and many
// rounds, since a rebuild on the new tip costs one fetch and the race is with
// people pushing, not with an overloaded server.
var DefaultPushRetry = backoff.Policy{Attempts: 10, Base: 50 * time.Millisecond, Max: 5 * time.Second}

// Author names the reconciler's commits.
type Author struct {
	Name, Email string
}

// DefaultAuthor is used when Commit gets a zero Author.
var DefaultAuthor = Author{Name: "reconciler", Email: "reconciler@localhost"}

func (o Options) withDefaults() (Options, error) {
	if o.URL == "" {
		return o, errors.New("source: URL is required")
	}
	if o.CacheDir == "" {
		return o, errors.New("source: CacheDir is required")
	}
	if o.Branch == "" {
		o.Branch = "main"
	}
	if o.TargetBranch == "" {
		o.TargetBranch = o.Branch
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	o.PushRetry = o.PushRetry.Or(DefaultPushRetry)
	if o.CompactEvery <= 0 {
		o.CompactEvery = 20
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	for _, b := range []string{o.Branch, o.TargetBranch} {
		if !validBranch(b) {
			return o, fmt.Errorf("source: invalid branch name %q", b)
		}
	}
	return o, nil
}
