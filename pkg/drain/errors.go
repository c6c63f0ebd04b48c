package drain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// DrainTimeoutError says a drain ran out of time with pods still on the node
// (OnTimeoutSkip). The node has been uncordoned unless it was cordoned before.
type DrainTimeoutError struct {
	Node    string
	Timeout time.Duration
	// Blocked pods had their eviction refused; Terminating pods were
	// evicted but had not gone yet. Sorted.
	Blocked     []PodRef
	Terminating []PodRef
	// PDBs ("ns/name", sorted) select at least one blocked pod.
	PDBs []string
	// LastRefusal is the API's last refusal message, for people.
	LastRefusal string
}

func (e *DrainTimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "drain node %q: timed out after %s", e.Node, e.Timeout)
	if len(e.Blocked) > 0 {
		fmt.Fprintf(&b, ": %d pod(s) blocked (%s)", len(e.Blocked), joinRefs(e.Blocked))
	}
	if len(e.PDBs) > 0 {
		fmt.Fprintf(&b, " by PodDisruptionBudget %s", strings.Join(e.PDBs, ", "))
	}
	if len(e.Terminating) > 0 {
		fmt.Fprintf(&b, "; %d pod(s) still terminating (%s)", len(e.Terminating), joinRefs(e.Terminating))
	}
	return b.String()
}

// AbortError says a drain timed out under OnTimeoutAbort: the caller must
// stop the rotation of the node's pool. The node has been uncordoned (unless
// it was cordoned before the drain). Unwrap gives the *DrainTimeoutError.
type AbortError struct {
	Timeout *DrainTimeoutError
}

func (e *AbortError) Error() string {
	return "abort rotation: " + e.Timeout.Error()
}

func (e *AbortError) Unwrap() error { return e.Timeout }

// NodeNotReadyError says WaitNodeReady gave up.
type NodeNotReadyError struct {
	Node    string
	Timeout time.Duration
	// State is the last observation: "not found", "Ready=False", "tainted
	// node.kubernetes.io/not-ready", ...
	State string
}

func (e *NodeNotReadyError) Error() string {
	return fmt.Sprintf("node %q not ready after %s: %s", e.Node, e.Timeout, e.State)
}

// IsDrainTimeout reports whether err is (or wraps) a *DrainTimeoutError,
// including one inside an *AbortError.
func IsDrainTimeout(err error) bool {
	var e *DrainTimeoutError
	return errors.As(err, &e)
}

// IsAbort reports whether err is (or wraps) an *AbortError.
func IsAbort(err error) bool {
	var e *AbortError
	return errors.As(err, &e)
}

// IsNodeNotReady reports whether err is (or wraps) a *NodeNotReadyError.
func IsNodeNotReady(err error) bool {
	var e *NodeNotReadyError
	return errors.As(err, &e)
}

func joinRefs(refs []PodRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}
