package drain

import (
	"cmp"
	"slices"
	"time"
)

// PodRef names a pod.
type PodRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

func (p PodRef) String() string { return p.Namespace + "/" + p.Name }

func comparePodRef(a, b PodRef) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}

// SkippedPod is a pod the drain left on the node, and why.
type SkippedPod struct {
	Pod     PodRef `json:"pod"`
	Reason  Reason `json:"reason"`
	Message string `json:"message,omitempty"`
}

// Outcome is how a drain ended. Stable names.
type Outcome string

const (
	OutcomeDrained   Outcome = "drained"   // every evictable pod evicted and gone
	OutcomeForced    Outcome = "forced"    // timed out; the remaining pods were deleted
	OutcomeSkipped   Outcome = "skipped"   // timed out; node uncordoned, *DrainTimeoutError
	OutcomeAborted   Outcome = "aborted"   // timed out; node uncordoned, *AbortError
	OutcomeCancelled Outcome = "cancelled" // the caller's context ended
	OutcomeFailed    Outcome = "failed"    // an API error stopped the drain
)

// Result reports one drain, whatever its outcome. Pod lists are sorted.
type Result struct {
	Node    string  `json:"node"`
	Outcome Outcome `json:"outcome"`
	// Evicted pods were accepted by the Eviction API.
	Evicted []PodRef `json:"evicted,omitempty"`
	// Forced pods were deleted after the timeout (OnTimeoutForce).
	Forced []PodRef `json:"forced,omitempty"`
	// Remaining pods were still on the node when the drain ended (for force:
	// deleted but still terminating after ForceWait).
	Remaining []PodRef `json:"remaining,omitempty"`
	// Skipped pods were left alone by the filters.
	Skipped []SkippedPod `json:"skipped,omitempty"`
	// Warnings from the filters about evicted pods, "ns/name: message".
	Warnings []string `json:"warnings,omitempty"`
	// BlockingPDBs ("ns/name") selected a pod whose eviction was refused.
	BlockingPDBs []string `json:"blockingPDBs,omitempty"`
	// Refusals counts evictions the API refused (429).
	Refusals int `json:"refusals"`
	// AlreadyCordoned is true when the node was unschedulable before the
	// drain; such a node is never uncordoned by the drain.
	AlreadyCordoned bool `json:"alreadyCordoned"`
	// Uncordoned is true when the drain gave up and made the node
	// schedulable again.
	Uncordoned bool          `json:"uncordoned"`
	Duration   time.Duration `json:"duration"`
}

func (r *Result) sort() {
	slices.SortFunc(r.Evicted, comparePodRef)
	slices.SortFunc(r.Forced, comparePodRef)
	slices.SortFunc(r.Remaining, comparePodRef)
	slices.SortFunc(r.Skipped, func(a, b SkippedPod) int { return comparePodRef(a.Pod, b.Pod) })
	slices.Sort(r.Warnings)
	slices.Sort(r.BlockingPDBs)
}

// EventType names a progress event. Stable names.
type EventType string

const (
	EventCordoned        EventType = "cordoned"
	EventUncordoned      EventType = "uncordoned"
	EventPodSkipped      EventType = "pod-skipped"
	EventEvicted         EventType = "evicted"
	EventEvictionRefused EventType = "eviction-refused"
	EventPodGone         EventType = "pod-gone"
	EventTimeout         EventType = "timeout"
	EventForceDeleted    EventType = "force-deleted"
	EventNodeReady       EventType = "node-ready"
)

// Event is one step of progress, passed to Drainer.OnEvent.
type Event struct {
	Type    EventType
	Node    string
	Pod     PodRef // zero for node events
	Message string
}
