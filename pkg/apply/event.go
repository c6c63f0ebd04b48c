package apply

import (
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// EventKind names a progress event; the values are stable.
type EventKind string

// Event kinds.
const (
	EventClusterStart EventKind = "cluster-start"
	EventClusterEnd   EventKind = "cluster-end"
	EventActionStart  EventKind = "action-start"
	EventActionEnd    EventKind = "action-end"
	EventWaiting      EventKind = "waiting" // a long wait is still going on
	EventRetry        EventKind = "retry"   // a transient error will be retried
)

// Event is one progress report, for the CLI (stderr) and the run loop's logs.
type Event struct {
	Time     time.Time
	Kind     EventKind
	Cluster  string
	ActionID string
	Type     plan.ActionType
	// Outcome is set on EventActionEnd.
	Outcome Outcome
	// Elapsed is the time since the action (or the wait) started.
	Elapsed time.Duration
	// Status is the last live status seen during a wait.
	Status string
	// Message is a one-line human text, e.g.
	// "waiting for cluster prod-par to be ready: 2m10s, status updating".
	Message string
}

// ProgressFunc receives events. It is called from the clusters' goroutines, one at a time.
type ProgressFunc func(Event)
