package plan

import "time"

// FormatVersion is the version of the JSON plan contract (docs/contracts.md §4).
const FormatVersion = "1"

// ActionType names what an action does; the values are the stable wire names.
type ActionType string

// Action types, in docs/contracts.md §4.
const (
	CreateCluster  ActionType = "create-cluster"
	UpdateCluster  ActionType = "update-cluster"
	SetClusterACL  ActionType = "set-cluster-acl"
	SetClusterType ActionType = "set-cluster-type"
	UpgradeCluster ActionType = "upgrade-cluster"
	DeleteCluster  ActionType = "delete-cluster"
	CreatePool     ActionType = "create-pool"
	UpdatePool     ActionType = "update-pool"
	UpgradePool    ActionType = "upgrade-pool"
	ReplacePool    ActionType = "replace-pool"
	DeletePool     ActionType = "delete-pool"
	RotateNode     ActionType = "rotate-node"
)

// Plan is the ordered, explained set of changes for every cluster of a revision.
type Plan struct {
	FormatVersion string        `json:"format_version"`
	Revision      string        `json:"revision"`
	Now           time.Time     `json:"now"`
	Clusters      []ClusterPlan `json:"clusters"`
	Summary       Summary       `json:"summary"`
	// Rollout is the wave plan when the specs use more than one wave (waves.go).
	Rollout *RolloutPlan `json:"rollout,omitempty"`
}

// ClusterPlan is the plan of one cluster.
type ClusterPlan struct {
	Name      string     `json:"name"`
	Region    string     `json:"region"`
	ProjectID string     `json:"project_id,omitempty"`
	ID        string     `json:"id"`
	Actions   []Action   `json:"actions"`
	Deferred  []Deferred `json:"deferred"`
	Warnings  []Warning  `json:"warnings"`
	// SpecBehind is set when Scaleway moved the live version past the spec (a forced upgrade at
	// end of life, an automatic patch): the spec-behind warning's facts. Nothing is changed for it.
	SpecBehind *SpecBehind `json:"spec_behind,omitempty"`
	// Orphan marks a live cluster with this repository's owner tag that no spec and no status
	// name (see Summary.Orphans).
	Orphan bool `json:"orphan,omitempty"`
	// BasedOn is the live state the actions were computed from (nil for a cluster to create);
	// apply refuses the cluster's actions when a fresh FingerprintOf differs.
	BasedOn *Fingerprint `json:"based_on,omitempty"`
	// RotationCalendar forecasts, per pool, the node-rotation window openings of the coming days
	// and which nodes each replaces (with Input.Rotate; absent without it).
	RotationCalendar []PoolCalendar `json:"rotation_calendar,omitempty"`
	// Rollout is the cluster's wave and what holds its hops (with more than one wave).
	Rollout *ClusterRollout `json:"rollout,omitempty"`
	// Preflight is what the pre-flight checks read from the cluster (Input.Preflight).
	Preflight *Preflight `json:"preflight,omitempty"`
}

// PoolCalendar is one pool's node-rotation forecast from the plan's now until Until.
type PoolCalendar struct {
	Pool string `json:"pool"`
	// TimeZone is the window's zone (times below are expressed in it); "UTC" without a window.
	TimeZone string `json:"time_zone"`
	// AnyTime is true when the pool has no window (each UTC day is an opening).
	AnyTime bool      `json:"any_time,omitempty"`
	Until   time.Time `json:"until"`
	// Openings are the openings that replace at least one node, in order.
	Openings []CalendarOpening `json:"openings"`
	// EmptyOpenings counts the openings before Until that replace nothing.
	EmptyOpenings int `json:"empty_openings"`
	// Later names the nodes due before Until that no opening before Until replaces.
	Later []string `json:"later,omitempty"`
}

// CalendarOpening is one window opening and the nodes it replaces, oldest first.
type CalendarOpening struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Nodes []string  `json:"nodes"`
	// Overdue names the nodes among Nodes that go after their hard deadline.
	Overdue []string `json:"overdue,omitempty"`
}

// Action is one step. ID is stable across runs: "<cluster>/<type>/<discriminator>".
type Action struct {
	ID         string     `json:"id"`
	Type       ActionType `json:"type"`
	Target     string     `json:"target"` // cluster/<name>, pool/<cluster>/<pool>, node/<cluster>/<pool>/<node>
	Reason     string     `json:"reason"` // stable kebab-case: not-found, version-behind, spec-changed, node-max-age, …
	Changes    []Change   `json:"changes"`
	Disruptive bool       `json:"disruptive"`
	// Details shows what Changes does not (ids, versions); stable keys, for people and scripts.
	Details map[string]string `json:"details,omitempty"`
	// Payload is what apply sends (not serialised).
	Payload Payload `json:"-"`
}

// Change is one field's before and after.
type Change struct {
	Path   string `json:"path"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// Deferred is an action that was wanted but may not run now, and why.
type Deferred struct {
	Action Action `json:"action"`
	Why    string `json:"why"` // outside-window, budget-exhausted, invalid-window, not-ready, needs-opt-in, …
	// Message explains in words, e.g. when the window opens next.
	Message string `json:"message,omitempty"`
}

// Warning is something the user should know that is not an action.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Summary counts actions by kind across clusters.
type Summary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Upgrade  int `json:"upgrade"`
	Replace  int `json:"replace"`
	Delete   int `json:"delete"`
	Rotate   int `json:"rotate"`
	Deferred int `json:"deferred"`
	// Orphans counts the clusters with this repository's owner tag that no spec and no status
	// name: they need a decision, so `plan --detailed-exitcode` counts them as changes.
	Orphans int `json:"orphans"`
}

// HasChanges reports whether the plan has an action to run or an orphan to decide on: what
// `--detailed-exitcode` reports as 2.
func (p *Plan) HasChanges() bool { return !p.Empty() || p.Summary.Orphans > 0 }

// Empty reports whether the plan has no action to run.
func (p *Plan) Empty() bool {
	for _, c := range p.Clusters {
		if len(c.Actions) > 0 {
			return false
		}
	}
	return true
}
