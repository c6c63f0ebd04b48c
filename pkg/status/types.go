package status

import "time"

// APIVersion and Kind identify a status document.
const (
	APIVersion = "reconciler.scaleway.dev/v1alpha1"
	Kind       = "ClusterStatus"
)

// ConditionType names a condition; the values are stable.
type ConditionType string

// Condition types of docs/contracts.md §5.
const (
	Ready            ConditionType = "Ready"
	Reconciling      ConditionType = "Reconciling"
	Stalled          ConditionType = "Stalled"
	Drifted          ConditionType = "Drifted"
	UpgradeAvailable ConditionType = "UpgradeAvailable"
	VersionEndOfLife ConditionType = "VersionEndOfLife"
	// SpecBehind is True when Scaleway moved the live version past the spec (a forced upgrade at
	// end of life, an automatic patch): the reason says which; the pass plans everything else.
	SpecBehind ConditionType = "SpecBehind"
	// NotOwned is True when the reconciler does not manage the live cluster (no ownership tag
	// and no spec.adopt, or another repository's owner tag): nothing is applied to it.
	NotOwned ConditionType = "NotOwned"
)

// ConditionTypes lists every condition in the order they are written.
var ConditionTypes = []ConditionType{Ready, Reconciling, Stalled, Drifted, UpgradeAvailable, VersionEndOfLife, SpecBehind, NotOwned}

// Condition is one kstatus-style condition.
type Condition struct {
	Type    ConditionType `json:"type"`
	Status  string        `json:"status"` // "True" | "False" | "Unknown"
	Reason  string        `json:"reason"`
	Message string        `json:"message,omitempty"`
}

// ClusterStatus is the content of status/<cluster>.yaml.
type ClusterStatus struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Cluster    string `json:"cluster"`
	Region     string `json:"region"`
	ProjectID  string `json:"projectID,omitempty"`
	ID         string `json:"id,omitempty"`
	// TimeZone is the zone of the cluster's upgrade window ("" UTC): the report writes the
	// cluster's own times (drift reverted, last observed) in it; the times here are UTC.
	TimeZone string `json:"timeZone,omitempty"`
	// SpecFile is where the cluster is declared.
	SpecFile string `json:"specFile,omitempty"`

	// ObservedRevision is the commit last applied successfully.
	ObservedRevision string `json:"observedRevision,omitempty"`
	// LastAttemptedRevision is the commit of the last pass, applied or not.
	LastAttemptedRevision string `json:"lastAttemptedRevision,omitempty"`
	// SpecDigest identifies the specs of LastAttemptedRevision (the tree without status/ and
	// reports/): a restarted loop whose head has the same specs keeps describing that revision.
	SpecDigest string `json:"specDigest,omitempty"`
	// LastApplied records the last applied spec's deletionProtection: a report that can only add
	// caution to the deletion rule, which trusts the live cluster's tags (docs/contracts.md §7).
	LastApplied *LastApplied `json:"lastApplied,omitempty"`

	Conditions []Condition `json:"conditions"`

	// LastObserved is set when this pass could not observe the cluster: ID, status, type, version
	// and pools are then the facts an earlier pass observed, and it says when.
	LastObserved *Observation `json:"lastObserved,omitempty"`

	Status  string `json:"status,omitempty"`  // the API's cluster status
	Type    string `json:"type,omitempty"`    // the live cluster type
	Version string `json:"version,omitempty"` // the live version
	// SpecBehind says why the live version is ahead of spec.version, with the dates (absent when
	// it is not).
	SpecBehind *SpecBehindStatus `json:"specBehind,omitempty"`
	// UpgradePath is the chain of hops the plan computed toward the spec's version.
	UpgradePath []string     `json:"upgradePath,omitempty"`
	Pools       []PoolStatus `json:"pools,omitempty"`
	Drift       []Drift      `json:"drift,omitempty"`
	// DriftReverted are the live fields the reconciler set back to the spec, newest first (at
	// most MaxDriftReverted): what had drifted, the live value it found, the spec's, and when.
	DriftReverted []DriftRevert `json:"driftReverted,omitempty"`
	Pending       []Pending     `json:"pending,omitempty"`
	Deferred      []Pending     `json:"deferred,omitempty"`
	Warnings      []Message     `json:"warnings,omitempty"`
	// Errors are validation errors of the last attempted revision (file:line: path: message).
	Errors    []string   `json:"errors,omitempty"`
	LastError *LastError `json:"lastError,omitempty"`
	// RecentActions are the outcomes of the last apply that did something.
	RecentActions []ActionOutcome `json:"recentActions,omitempty"`
	// Rollout is the cluster's place in a fleet rollout, with its health clock (rollout.go).
	Rollout *RolloutStatus `json:"rollout,omitempty"`
	// Orphans (status/_repository.yaml only) are the live clusters with this repository's owner
	// tag that no spec and no status name.
	Orphans []Orphan `json:"orphans,omitempty"`
}

// SpecBehindStatus is the plan's spec-behind facts.
type SpecBehindStatus struct {
	LiveVersion string `json:"liveVersion"`
	SpecVersion string `json:"specVersion"`
	// Reason is forced-upgrade | auto-upgrade | patch-applied.
	Reason string `json:"reason"`
	// Suggested is the spec.version that ends the warning.
	Suggested        string     `json:"suggested"`
	SpecEndOfLifeAt  *time.Time `json:"specEndOfLifeAt,omitempty"`
	LiveDeprecatedAt *time.Time `json:"liveDeprecatedAt,omitempty"`
	LiveEndOfLifeAt  *time.Time `json:"liveEndOfLifeAt,omitempty"`
}

// Orphan is a live cluster owned by this repository that no spec and no status name: created by
// a run that stopped before writing its status, then its spec removed.
type Orphan struct {
	Name      string `json:"name"`
	Region    string `json:"region"`
	ProjectID string `json:"projectID,omitempty"`
	ID        string `json:"id"`
	// Action is what the plan does: delete-cluster (the deletion rule holds), deferred, or kept.
	Action  string `json:"action"`
	Message string `json:"message,omitempty"`
}

// LastApplied is the part of the last applied spec that later decisions depend on.
type LastApplied struct {
	DeletionProtection bool `json:"deletionProtection"`
}

// PoolStatus is one pool's live state.
type PoolStatus struct {
	Name         string       `json:"name"`
	ID           string       `json:"id,omitempty"`
	Status       string       `json:"status,omitempty"`
	Version      string       `json:"version,omitempty"`
	NodeType     string       `json:"nodeType,omitempty"`
	Size         int          `json:"size"`
	Autoscaling  bool         `json:"autoscaling,omitempty"`
	ErrorMessage string       `json:"errorMessage,omitempty"`
	Nodes        []NodeStatus `json:"nodes,omitempty"`
	// TimeZone is the pool's rotation window's zone: the report writes the calendar and the
	// nodes' dates in it (the times here are UTC). Empty: UTC.
	TimeZone string `json:"timeZone,omitempty"`
	// RotationCalendar lists the coming rotation openings that will replace nodes, soonest first.
	RotationCalendar []Rotation `json:"rotationCalendar,omitempty"`
}

// NodeStatus is one node; its age is CreatedAt's distance to the reader's now (not written: churn).
type NodeStatus struct {
	Name      string    `json:"name"`
	ID        string    `json:"id,omitempty"`
	Status    string    `json:"status,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	// RotationDue is when the node reaches the pool's maxAge.
	RotationDue *time.Time `json:"rotationDue,omitempty"`
}

// Rotation is a pool's next rotation opening and the nodes it will replace.
type Rotation struct {
	WindowStart time.Time `json:"windowStart"`
	WindowEnd   time.Time `json:"windowEnd"`
	Nodes       []string  `json:"nodes,omitempty"`
}

// Drift is one live field that differs from the spec.
type Drift struct {
	Field string `json:"field"`
	Spec  any    `json:"spec"`
	Live  any    `json:"live"`
	// Action is what happens: revert | report-only | deferred | not-managed.
	Action string `json:"action"`
}

// MaxDriftReverted bounds the reverts a status keeps.
const MaxDriftReverted = 10

// Observation says when the facts of a status were observed, when it is not this pass.
type Observation struct {
	// At is when they were observed; nil when no pass since the loop started observed them.
	At *time.Time `json:"at,omitempty"`
	// Revision is the revision in force then.
	Revision string `json:"revision,omitempty"`
	// Reason is why this pass could not observe.
	Reason string `json:"reason"`
}

// DriftRevert is one drifted field an apply set back to the spec's value.
type DriftRevert struct {
	Field string `json:"field"`
	// Before is the live value found (the drift), After the spec's value written back.
	Before any       `json:"before"`
	After  any       `json:"after"`
	At     time.Time `json:"at"`
	// Action is the apply action that reverted it.
	Action string `json:"action,omitempty"`
}

// Pending is a planned action, carried out next or deferred with the reason.
type Pending struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Reason  string `json:"reason,omitempty"`
	Why     string `json:"why,omitempty"`
	Message string `json:"message,omitempty"`
}

// Message is a coded message (warnings).
type Message struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// LastError is the last error met, with the API's own message.
type LastError struct {
	Revision string `json:"revision,omitempty"`
	Action   string `json:"action,omitempty"`
	Message  string `json:"message"`
}

// ActionOutcome is one executed action's outcome.
type ActionOutcome struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"` // done | skipped | failed | not-run
	Message string `json:"message,omitempty"`
}
