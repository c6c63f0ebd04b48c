package drain

import (
	"fmt"
	"time"
)

// OnTimeout says what a drain does when Options.Timeout expires with pods
// still on the node. The names are the spec's onDrainTimeout values.
type OnTimeout string

const (
	// OnTimeoutSkip uncordons the node and returns *DrainTimeoutError naming
	// the blocking PodDisruptionBudgets; the caller moves on to another node.
	OnTimeoutSkip OnTimeout = "skip"
	// OnTimeoutForce deletes the remaining pods (bypassing PDBs) and succeeds.
	OnTimeoutForce OnTimeout = "force"
	// OnTimeoutAbort uncordons the node and returns *AbortError: the caller
	// stops the pool's rotation.
	OnTimeoutAbort OnTimeout = "abort"
)

// ParseOnTimeout maps a spec value to an OnTimeout; "" is skip (the default).
func ParseOnTimeout(s string) (OnTimeout, error) {
	switch OnTimeout(s) {
	case "":
		return OnTimeoutSkip, nil
	case OnTimeoutSkip, OnTimeoutForce, OnTimeoutAbort:
		return OnTimeout(s), nil
	default:
		return "", fmt.Errorf("onDrainTimeout %q: must be skip, force or abort", s)
	}
}

// Options tune a Drainer. Zero fields take the defaults below.
type Options struct {
	// Timeout bounds the eviction phase of one drain (the spec's
	// drainTimeout). Default 30m.
	Timeout time.Duration
	// OnTimeout is what happens when Timeout expires. Default skip.
	OnTimeout OnTimeout
	// RetryDelay is the first wait after an eviction was refused (429, a PDB
	// would be violated); it doubles after each round without progress up
	// to MaxRetryDelay. Defaults 5s and 1m.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	// PollInterval is how often the pods on the node (and a node's
	// readiness) are re-read while waiting. Default 2s.
	PollInterval time.Duration
	// CallTimeout bounds every single API call. Default 15s.
	CallTimeout time.Duration
	// ForceGracePeriod is the grace period of the deletions OnTimeoutForce
	// makes: nil uses each pod's own, 0 removes them at once.
	ForceGracePeriod *int64
	// ForceWait bounds how long OnTimeoutForce waits for deleted pods to be
	// gone; pods still terminating after it are reported, not an error.
	// Default 1m.
	ForceWait time.Duration
	// Filters replace DefaultFilters when non-nil.
	Filters []PodFilter
}

// Defaults used for zero Options fields.
const (
	DefaultTimeout       = 30 * time.Minute
	DefaultRetryDelay    = 5 * time.Second
	DefaultMaxRetryDelay = time.Minute
	DefaultPollInterval  = 2 * time.Second
	DefaultCallTimeout   = 15 * time.Second
	DefaultForceWait     = time.Minute
)

// withDefaults returns o with every zero field defaulted.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.OnTimeout == "" {
		o.OnTimeout = OnTimeoutSkip
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	if o.MaxRetryDelay <= 0 {
		o.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if o.MaxRetryDelay < o.RetryDelay {
		o.MaxRetryDelay = o.RetryDelay
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.ForceWait <= 0 {
		o.ForceWait = DefaultForceWait
	}
	if o.Filters == nil {
		o.Filters = DefaultFilters()
	}
	return o
}
