package rotation

// Reason is a stable kebab-case code saying why a node is rotated or left alone. The same names
// appear in plan actions (reason), deferred entries (why), the dry-run output and logs.
type Reason string

// Reasons to rotate a node now.
const (
	// MaxAge: the node is at least maxAge old and its slot in the soft schedule has come.
	MaxAge Reason = "node-max-age"
	// PastDeadline: the node passed its hard deadline before this opening started.
	PastDeadline Reason = "node-past-deadline"
)

// Reasons a node is left alone, in the order they are checked.
const (
	RotationDisabled Reason = "rotation-disabled"
	InvalidWindow    Reason = "invalid-window"
	InvalidBudget    Reason = "invalid-budget"
	InvalidPolicy    Reason = "invalid-policy"
	// InProgress: the node itself is in a transition (creating, deleting, upgrading, …).
	InProgress      Reason = "in-progress"
	NodeNotReady    Reason = "node-not-ready"
	TooYoung        Reason = "too-young"
	ClusterNotReady Reason = "cluster-not-ready"
	PoolNotReady    Reason = "pool-not-ready"
	OutsideWindow   Reason = "outside-window"
	// ScheduledLater: the window is open but the soft schedule puts the node in a later opening.
	ScheduledLater  Reason = "scheduled-later"
	BudgetExhausted Reason = "budget-exhausted"
)

// Rotates reports whether the reason is one to rotate the node now.
func (r Reason) Rotates() bool {
	switch r {
	case MaxAge, PastDeadline:
		return true
	case RotationDisabled, InvalidWindow, InvalidBudget, InvalidPolicy, InProgress, NodeNotReady,
		TooYoung, ClusterNotReady, PoolNotReady, OutsideWindow, ScheduledLater, BudgetExhausted:
		return false
	}
	panic("rotation: unknown reason " + string(r))
}

// Node statuses (cloud.Node.Status) as the Scaleway API names them.
const (
	statusReady = "ready"
)

// inFlight reports whether a node status is a transition the provider is carrying out.
func inFlight(status string) bool {
	switch status {
	case "creating", "deleting", "upgrading", "rebooting", "starting", "registering":
		return true
	}
	return false
}
