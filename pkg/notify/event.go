package notify

import "time"

// Kind is what an event is about; the values are stable wire names (spec.NotifyEvents).
type Kind string

// Event kinds.
const (
	// PassFailed: passes failed (after Config.FailureThreshold consecutive ones).
	PassFailed Kind = "pass-failed"
	// DeferredPastDeadline: work is deferred beyond a deadline (an upgrade off an end-of-life
	// minor, a node rotation past its maxAge).
	DeferredPastDeadline Kind = "deferred-past-deadline"
	// Deletion: the reconciler deleted a cluster or a pool.
	Deletion Kind = "deletion"
	// ForcedUpgrade: Scaleway upgraded a cluster past its spec (spec-behind).
	ForcedUpgrade Kind = "forced-upgrade"
	// WaveHalted: a lower rollout wave's failure halts a cluster's upgrade hops.
	WaveHalted Kind = "wave-halted"
	// Stuck: a cluster's work has waited longer than Config.StuckAfter on a cluster or pool that
	// is not ready (updating, upgrading, locked by Scaleway).
	Stuck Kind = "stuck"
)

// Kinds lists every kind.
var Kinds = []Kind{PassFailed, DeferredPastDeadline, Deletion, ForcedUpgrade, WaveHalted, Stuck}

// FormatVersion is the version of the webhook payload.
const FormatVersion = "1"

// Event is one alert.
type Event struct {
	Kind Kind
	// Key identifies the event for the rate limit: the same key is sent to a sink at most once per
	// rate limit (e.g. "pass-failed/prod-par", "deletion/prod-par/delete-pool/old").
	Key string
	// Cluster is the cluster concerned ("" for the whole loop).
	Cluster  string
	Revision string
	// Summary is one line; Detail may be longer (an error's text, already sanitised).
	Summary string
	Detail  string
	At      time.Time
}

// Payload is the JSON a webhook receives.
type Payload struct {
	FormatVersion string    `json:"format_version"`
	Kind          Kind      `json:"kind"`
	Key           string    `json:"key"`
	Cluster       string    `json:"cluster,omitempty"`
	Revision      string    `json:"revision,omitempty"`
	Summary       string    `json:"summary"`
	Detail        string    `json:"detail,omitempty"`
	At            time.Time `json:"at"`
	// Source names the sender (the repository identity when known).
	Source string `json:"source,omitempty"`
}

func payloadOf(ev Event, source string) Payload {
	return Payload{FormatVersion: FormatVersion, Kind: ev.Kind, Key: ev.Key, Cluster: ev.Cluster, Revision: ev.Revision,
		Summary: ev.Summary, Detail: ev.Detail, At: ev.At.UTC(), Source: source}
}
