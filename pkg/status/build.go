package status

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Input is everything one pass knows about one cluster.
type Input struct {
	Cluster   string
	Region    string
	ProjectID string
	SpecFile  string
	// Revision is the commit this pass attempted, SpecDigest the digest of its specs.
	Revision   string
	SpecDigest string
	// Applied is true when this pass applied Revision to completion (or found nothing to do).
	Applied bool
	// DeletionProtection is the attempted spec's value, recorded as LastApplied when Applied; a
	// true is recorded as soon as a valid spec with it is attempted, even if the apply failed
	// (docs/contracts.md §7 fails closed: protection rises at once and is lowered only by a completed apply).
	DeletionProtection bool
	// DriftPolicy is the spec's drift policy: "revert" (default) or "report".
	DriftPolicy string
	// MaxAge per pool name, to compute each node's rotation due date; absent = no rotation.
	MaxAge map[string]time.Duration
	// Calendar per pool name: the coming rotation openings with the nodes each replaces.
	Calendar map[string][]Rotation

	Live *cloud.Cluster
	Plan *plan.ClusterPlan
	// Outcomes of this pass's apply, if any.
	Outcomes []ActionOutcome
	// Err is the pass's error text, already sanitised; Terminal says whether retrying can help.
	Err      string
	ErrAt    string // the action that failed, if any
	Terminal bool
	// ValidationErrors of the attempted revision; when set nothing was applied.
	ValidationErrors []string

	// Previous is the status last written for this cluster, nil if none.
	Previous *ClusterStatus

	// Observed is true when this pass observed the cluster's region and project (a nil Live is
	// then a cluster that does not exist); a non-nil Live counts as observed. When the pass
	// failed without observing, the facts of Previous are kept, with LastObserved saying when.
	Observed bool
	// LastObservedAt is when a pass last observed (the caller's memory); zero when unknown.
	LastObservedAt time.Time
	// Versions is the region's observed catalog, newest first: it names an available version.
	Versions []cloud.Version
	// TimeZone per pool name: its rotation window's zone, for the report's dates.
	PoolTimeZone map[string]string
	// Reverted are the drifted fields this pass's apply set back to the spec.
	Reverted []DriftRevert
	// TimeZone is the cluster's upgrade window's zone ("" UTC): the report's cluster-level times.
	TimeZone string
}

// Build assembles the status of one cluster. It is pure.
func Build(in Input) *ClusterStatus {
	s := &ClusterStatus{
		APIVersion: APIVersion, Kind: Kind,
		Cluster: in.Cluster, Region: in.Region, ProjectID: in.ProjectID, SpecFile: in.SpecFile,
		LastAttemptedRevision: in.Revision, SpecDigest: in.SpecDigest, TimeZone: in.TimeZone,
	}
	notOwned, _ := notOwnedWarning(in.Plan)
	if p := in.Previous; p != nil && !notOwned {
		s.ObservedRevision = p.ObservedRevision
		s.LastApplied = p.LastApplied
		s.RecentActions = p.RecentActions
	}
	switch {
	case notOwned:
		// Nothing was applied to a cluster the reconciler does not manage: no revision, no record.
	case in.Applied && len(in.ValidationErrors) == 0 && in.Err == "":
		s.ObservedRevision = in.Revision
		s.LastApplied = &LastApplied{DeletionProtection: in.DeletionProtection}
	case in.DeletionProtection && len(in.ValidationErrors) == 0:
		s.LastApplied = &LastApplied{DeletionProtection: true}
	}
	if did := meaningfulOutcomes(in.Outcomes); len(did) > 0 {
		s.RecentActions = did
	}
	if l := in.Live; l != nil {
		s.ID, s.Status, s.Type, s.Version = l.ID, l.Status, l.Type, l.Version
		s.Pools = buildPools(l.Pools, in.MaxAge, in.Calendar, in.PoolTimeZone)
	} else if p := in.Previous; p != nil && !in.Observed && p.ID != "" && failureText(in) != "" {
		keepFacts(s, p, in)
	}
	s.DriftReverted = reverts(in.Reverted, in.Previous)
	s.Errors = slices.Clone(in.ValidationErrors)
	if in.Err != "" {
		s.LastError = &LastError{Revision: in.Revision, Action: in.ErrAt, Message: in.Err}
	} else if p := in.Previous; p != nil && len(in.ValidationErrors) == 0 && !in.Applied {
		s.LastError = p.LastError
	}
	if in.Plan != nil {
		addPlan(s, in.Plan, in.DriftPolicy)
	}
	s.Conditions = conditions(in, s)
	return s
}

// meaningfulOutcomes drops the skips that only say the target was already as wanted
// (already-exists, already-at-version, …); every other skip — a rotation blocked by a
// PodDisruptionBudget, an action with nothing to run it — is news and is kept.
func meaningfulOutcomes(os []ActionOutcome) []ActionOutcome {
	var out []ActionOutcome
	for _, o := range os {
		if o.Outcome != "skipped" || !strings.HasPrefix(o.Message, "already-") {
			out = append(out, o)
		}
	}
	return out
}

// failureText is why this pass knows less than it should: its error, or its revision's
// validation errors; "" when neither.
func failureText(in Input) string {
	switch {
	case in.Err != "":
		return in.Err
	case len(in.ValidationErrors) > 0:
		return "revision " + revision.Short(in.Revision) + " failed validation"
	}
	return ""
}

// keepFacts copies the facts an earlier pass observed (Previous) into s, and when they were
// observed: this pass could not observe, and an error hides no fact already known.
func keepFacts(s, p *ClusterStatus, in Input) {
	s.ID, s.Status, s.Type, s.Version = p.ID, p.Status, p.Type, p.Version
	s.Pools = slices.Clone(p.Pools)
	obs := &Observation{Revision: p.LastAttemptedRevision, Reason: failureText(in)}
	switch {
	case p.LastObserved != nil:
		obs.At, obs.Revision = p.LastObserved.At, p.LastObserved.Revision
	case !in.LastObservedAt.IsZero():
		at := in.LastObservedAt.UTC()
		obs.At = &at
	}
	s.LastObserved = obs
}

// reverts are this pass's reverted fields, then the previous ones, at most MaxDriftReverted.
func reverts(now []DriftRevert, prev *ClusterStatus) []DriftRevert {
	out := slices.Clone(now)
	if prev != nil {
		out = append(out, prev.DriftReverted...)
	}
	if len(out) > MaxDriftReverted {
		out = out[:MaxDriftReverted]
	}
	return out
}

func buildPools(pools []cloud.Pool, maxAge map[string]time.Duration, cal map[string][]Rotation, zones map[string]string) []PoolStatus {
	out := make([]PoolStatus, 0, len(pools))
	for _, p := range pools {
		ps := PoolStatus{
			Name: p.Name, ID: p.ID, Status: p.Status, Version: p.Version, NodeType: p.NodeType,
			Size: p.Size, Autoscaling: p.Autoscaling, ErrorMessage: p.ErrorMessage,
			RotationCalendar: cal[p.Name], TimeZone: zones[p.Name],
		}
		for _, n := range p.Nodes {
			ns := NodeStatus{Name: n.Name, ID: n.ID, Status: n.Status, CreatedAt: n.CreatedAt.UTC()}
			if age, ok := maxAge[p.Name]; ok && age > 0 {
				due := n.CreatedAt.Add(age).UTC()
				ns.RotationDue = &due
			}
			ps.Nodes = append(ps.Nodes, ns)
		}
		slices.SortFunc(ps.Nodes, func(a, b NodeStatus) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b PoolStatus) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// isDriftAction reports whether an action reconciles fields that differ in place.
func isDriftAction(t plan.ActionType) bool {
	return t == plan.UpdateCluster || t == plan.UpdatePool
}

func addPlan(s *ClusterStatus, p *plan.ClusterPlan, policy string) {
	for _, a := range p.Actions {
		s.Pending = append(s.Pending, Pending{ID: a.ID, Type: string(a.Type), Reason: a.Reason})
		if a.Type == plan.UpgradeCluster {
			s.UpgradePath = append(s.UpgradePath, upgradeTarget(a))
		}
		if isDriftAction(a.Type) {
			act := "revert"
			if policy == "report" {
				act = "report-only"
			}
			s.Drift = append(s.Drift, drifts(a, act)...)
		}
	}
	for _, d := range p.Deferred {
		s.Deferred = append(s.Deferred, Pending{ID: d.Action.ID, Type: string(d.Action.Type), Reason: d.Action.Reason, Why: d.Why, Message: d.Message})
		if d.Action.Type == plan.UpgradeCluster {
			s.UpgradePath = append(s.UpgradePath, upgradeTarget(d.Action))
		}
		if isDriftAction(d.Action.Type) {
			act := "deferred"
			switch d.Why {
			case plan.WhyDriftReport:
				act = "report-only"
			case plan.WhyNotOwned:
				act = "not-managed"
			}
			s.Drift = append(s.Drift, drifts(d.Action, act)...)
		}
	}
	for _, w := range p.Warnings {
		s.Warnings = append(s.Warnings, Message{Code: w.Code, Message: w.Message})
	}
	if b := p.SpecBehind; b != nil {
		s.SpecBehind = &SpecBehindStatus{LiveVersion: b.Live, SpecVersion: b.Spec, Reason: b.Reason, Suggested: b.Suggested,
			SpecEndOfLifeAt: b.SpecEndOfLifeAt, LiveDeprecatedAt: b.LiveDeprecatedAt, LiveEndOfLifeAt: b.LiveEndOfLifeAt}
	}
	slices.SortStableFunc(s.Drift, func(a, b Drift) int { return strings.Compare(a.Field, b.Field) })
}

func upgradeTarget(a plan.Action) string {
	if v := a.Details["version"]; v != "" {
		return v
	}
	for _, c := range a.Changes {
		if c.Path == "spec.version" {
			if v, ok := c.After.(string); ok {
				return v
			}
		}
	}
	return a.ID
}

func drifts(a plan.Action, act string) []Drift {
	prefix := ""
	if a.Type == plan.UpdatePool {
		prefix = strings.TrimPrefix(a.Target, "pool/") + ": "
	}
	out := make([]Drift, 0, len(a.Changes))
	for _, c := range a.Changes {
		out = append(out, Drift{Field: prefix + c.Path, Spec: c.After, Live: c.Before, Action: act})
	}
	return out
}

// notOwnedWarning is the plan's warning saying the reconciler does not manage the cluster.
func notOwnedWarning(p *plan.ClusterPlan) (bool, plan.Warning) {
	if p == nil {
		return false, plan.Warning{}
	}
	return p.Unmanaged()
}

func hasWarning(s *ClusterStatus, code string) (Message, bool) {
	for _, w := range s.Warnings {
		if w.Code == code {
			return w, true
		}
	}
	return Message{}, false
}

func conditions(in Input, s *ClusterStatus) []Condition {
	cond := func(t ConditionType, ok bool, reason, msg string) Condition {
		st := "False"
		if ok {
			st = "True"
		}
		return Condition{Type: t, Status: st, Reason: reason, Message: msg}
	}
	var ready, reconciling, stalled Condition
	notOwned, nw := notOwnedWarning(in.Plan)
	owned := cond(NotOwned, false, "Owned", "")
	if notOwned {
		owned = cond(NotOwned, true, "NotOwned", nw.Message)
	}
	switch {
	case len(in.ValidationErrors) > 0:
		msg := "revision " + revision.Short(in.Revision) + " failed validation; the last good revision stays in force"
		stalled = cond(Stalled, true, "ValidationFailed", msg)
		reconciling = cond(Reconciling, false, "ValidationFailed", "")
		ready = cond(Ready, false, "ValidationFailed", msg)
	case in.Err != "" && in.Terminal:
		stalled = cond(Stalled, true, "ApplyFailed", in.Err)
		reconciling = cond(Reconciling, false, "ApplyFailed", "")
		ready = cond(Ready, false, "ApplyFailed", in.Err)
	case in.Err != "":
		stalled = cond(Stalled, false, "Retrying", "")
		reconciling = cond(Reconciling, true, "Retrying", in.Err)
		ready = cond(Ready, false, "Retrying", in.Err)
	case notOwned:
		stalled = cond(Stalled, false, "NotOwned", "")
		reconciling = cond(Reconciling, false, "NotOwned", "")
		ready = cond(Ready, false, "NotOwned", "the reconciler does not manage this cluster: it is left untouched")
	case in.Live == nil:
		stalled = cond(Stalled, false, "NotCreated", "")
		reconciling = cond(Reconciling, true, "NotCreated", "the cluster does not exist yet")
		ready = cond(Ready, false, "NotCreated", "the cluster does not exist yet")
	case len(s.Pending) > 0 && !in.Applied:
		stalled = cond(Stalled, false, "ChangesPending", "")
		reconciling = cond(Reconciling, true, "ChangesPending", plural(len(s.Pending), "action")+" pending")
		ready = cond(Ready, false, "ChangesPending", plural(len(s.Pending), "action")+" pending")
	case in.Live.Status != "ready" && in.Live.Status != "pool_required":
		stalled = cond(Stalled, false, "Progressing", "")
		reconciling = cond(Reconciling, true, "Progressing", "cluster is "+in.Live.Status)
		ready = cond(Ready, false, "Progressing", "cluster is "+in.Live.Status)
	default:
		stalled = cond(Stalled, false, "Succeeded", "")
		reconciling = cond(Reconciling, false, "Succeeded", "")
		msg := "applied revision " + revision.Short(s.ObservedRevision)
		if len(s.Deferred) > 0 {
			msg += "; " + plural(len(s.Deferred), "action") + " deferred"
		}
		ready = cond(Ready, true, "Succeeded", msg)
	}
	drifted := cond(Drifted, len(s.Drift) > 0, "NoDrift", "")
	switch why := failureText(in); {
	case len(s.Drift) > 0:
		drifted.Reason, drifted.Message = "DriftDetected", driftMessage(len(s.Drift))
	case in.Plan == nil && why != "":
		// No plan, no comparison: saying "no drift" would be a guess.
		drifted = Condition{Type: Drifted, Status: "Unknown", Reason: "DriftUnknown", Message: why}
	}
	up := cond(UpgradeAvailable, false, "UpToDate", "")
	if w, ok := hasWarning(s, "upgrade-available"); ok {
		up = cond(UpgradeAvailable, true, "NewerVersion", w.Message)
	} else if len(s.UpgradePath) > 0 {
		up = cond(UpgradeAvailable, true, "UpgradePlanned", "upgrade path: "+strings.Join(s.UpgradePath, " → "))
	} else if in.Live != nil && in.Live.UpgradeAvailable {
		msg := "a newer version is available for " + in.Live.Version
		if v := nextVersion(in.Live.Version, in.Versions); v != "" {
			msg = v + " available (live " + in.Live.Version + ")"
		}
		up = cond(UpgradeAvailable, true, "NewerVersion", msg)
	}
	eol := cond(VersionEndOfLife, false, "Supported", "")
	if w, ok := hasWarning(s, "version-end-of-life"); ok {
		eol = cond(VersionEndOfLife, true, "EndOfLife", w.Message)
	} else if w, ok := hasWarning(s, "version-deprecated"); ok {
		eol = cond(VersionEndOfLife, false, "Deprecated", w.Message)
	}
	if why := failureText(in); in.Plan == nil && why != "" {
		// Without a plan the version was not compared with the catalog: unknown, not "up to date".
		eol = Condition{Type: VersionEndOfLife, Status: "Unknown", Reason: "NotPlanned", Message: why}
		if up.Status == "False" {
			up = Condition{Type: UpgradeAvailable, Status: "Unknown", Reason: "NotPlanned", Message: why}
		}
	}
	behind := cond(SpecBehind, false, "InSync", "")
	if b := s.SpecBehind; b != nil {
		msg := ""
		if w, ok := hasWarning(s, "spec-behind"); ok {
			msg = w.Message
		}
		behind = cond(SpecBehind, true, behindReasons[b.Reason], msg)
	} else if why := failureText(in); in.Plan == nil && why != "" {
		behind = Condition{Type: SpecBehind, Status: "Unknown", Reason: "NotPlanned", Message: why}
	}
	return []Condition{ready, reconciling, stalled, drifted, up, eol, behind, owned}
}

// behindReasons are the SpecBehind condition's reasons (CamelCase, as conditions write them).
var behindReasons = map[string]string{
	plan.BehindForcedUpgrade: "ForcedUpgrade",
	plan.BehindAutoUpgrade:   "AutoUpgrade",
	plan.BehindPatch:         "PatchApplied",
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func driftMessage(n int) string {
	if n == 1 {
		return "1 field differs from the spec"
	}
	return strconv.Itoa(n) + " fields differ from the spec"
}

// nextVersion is the version live can be upgraded to in one step, from the observed catalog
// (each entry the latest patch of its minor): a newer patch of its minor, else the next minor's
// latest; "" when the catalog offers neither.
func nextVersion(live string, catalog []cloud.Version) string {
	lv, err := spec.ParseVersion(live)
	if err != nil || !lv.Exact {
		return ""
	}
	var next string
	for _, c := range catalog {
		v, err := spec.ParseVersion(c.Name)
		if err != nil || !v.Exact || v.Major != lv.Major {
			continue
		}
		switch {
		case v.Minor == lv.Minor && v.Patch > lv.Patch:
			return c.Name
		case v.Minor == lv.Minor+1:
			next = c.Name
		}
	}
	return next
}
