package status

import (
	"maps"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Pass is what one pass (of the loop, or of `apply`) knows, for Assemble.
type Pass struct {
	// Revision is the revision attempted (the newest fetched), SpecDigest the digest of its
	// specs. ValidationErrors are its errors when it failed validation: Repo stays in force.
	Revision         string
	SpecDigest       string
	ValidationErrors []string
	// Repo is the revision in force, loaded; nil when no revision was ever valid.
	Repo *spec.Repo
	// Ran is set when a pass ran on Repo; Plan and Snapshots are then its final plan and what it
	// observed (after an apply, the plan made after it), Result its apply (nil: none), Err its
	// error (the plan, the observation or the plan after apply failed).
	Ran       bool
	Plan      *plan.Plan
	Snapshots []*cloud.Snapshot
	Result    *apply.Result
	Err       error
	// ApplyPlan is the plan Result executed (its changes say what an update reverted), Now the
	// time of the pass, LastObservedAt when a pass last observed (zero: unknown).
	ApplyPlan      *plan.Plan
	Now            time.Time
	LastObservedAt time.Time
	// OtherOrphans are orphans another shard's replica plans (run --shards), listed by the holder
	// of shard 0 in status/_repository.yaml beside the plan's own.
	OtherOrphans []Orphan
}

// Assembled is what the statuses of a pass are: the status of every cluster to write (the
// repository's included) and the names whose status and report go.
type Assembled struct {
	Statuses []*ClusterStatus
	Deleted  []string
}

// Assemble builds every status of a pass from the pass and the previous statuses (by cluster
// name, as the files are named). It is pure: clusters are matched by plan.Key across specs,
// snapshots, plans and apply results.
func Assemble(p Pass, previous map[string]*ClusterStatus) Assembled {
	var out Assembled
	if p.Repo == nil {
		for _, in := range withoutRevision(p, previous) {
			out.Statuses = append(out.Statuses, Build(in))
		}
		return out
	}
	ix := index(p)
	written := map[string]bool{}
	for _, c := range p.Repo.Clusters {
		key := plan.Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name)
		in := Input{
			Cluster: c.Metadata.Name, Region: c.Spec.Region, ProjectID: c.Spec.ProjectID,
			SpecFile: c.Source.File, Revision: p.Revision, SpecDigest: p.SpecDigest, ValidationErrors: p.ValidationErrors,
			DeletionProtection: c.Spec.DeletionProtection == nil || *c.Spec.DeletionProtection,
			DriftPolicy:        c.Spec.Drift, MaxAge: maxAges(c),
			Previous: previous[c.Metadata.Name], Live: ix.live[key], Plan: ix.plans[key],
			Observed: ix.observed[refKey(c.Spec.Region, c.Spec.ProjectID)], LastObservedAt: p.LastObservedAt,
			Versions: ix.versions[refKey(c.Spec.Region, c.Spec.ProjectID)],
		}
		in.Calendar, in.PoolTimeZone = calendars(in.Plan)
		if u := c.Spec.Upgrade; u != nil && u.Window != nil {
			in.TimeZone = u.Window.TimeZone
		}
		if sameSpecApplied(in.Previous, p.SpecDigest) {
			in.Reverted = reverted(p, key, ix.results[key])
		}
		if p.Err != nil {
			in.Err, in.Terminal = p.Err.Error(), !cloud.IsTransient(p.Err)
		}
		withResult(&in, ix.results[key], true)
		in.Applied = p.Ran && in.Err == "" && p.ValidationErrors == nil
		out.Statuses = append(out.Statuses, Build(in))
		written[c.Metadata.Name] = true
	}
	specNames := maps.Clone(written)
	// The live clusters the plan shows that no spec names (the warning saying why one is kept,
	// or its pending delete, is said in its status too). Their record of the last applied spec
	// is kept as it is (Applied stays false). Only clusters with a status of this repository
	// are described here (orphans go to the repository's status), and a name a spec uses is
	// left to that spec's status (status files are named by cluster name only).
	if p.Plan != nil {
		for i := range p.Plan.Clusters {
			cp := &p.Plan.Clusters[i]
			prev := previous[cp.Name]
			if specNames[cp.Name] || prev == nil || prev.Region != cp.Region || prev.ProjectID != cp.ProjectID {
				continue
			}
			key := plan.Key(cp.Region, cp.ProjectID, cp.Name)
			in := Input{Cluster: cp.Name, Region: cp.Region, ProjectID: cp.ProjectID, Revision: p.Revision, SpecDigest: p.SpecDigest,
				SpecFile: prev.SpecFile, Live: ix.live[key], Plan: cp, Previous: prev,
				Observed: ix.observed[refKey(cp.Region, cp.ProjectID)], Versions: ix.versions[refKey(cp.Region, cp.ProjectID)]}
			withResult(&in, ix.results[key], false)
			out.Statuses = append(out.Statuses, Build(in))
			written[cp.Name] = true
		}
	}
	// A cluster this pass deleted takes its status and report with it, unless the plan made
	// after the delete still shows it.
	if p.Result != nil {
		for _, cr := range p.Result.Clusters {
			for _, a := range cr.Actions {
				if a.Type == plan.DeleteCluster && a.Outcome == apply.Done && !written[cr.Name] {
					out.Deleted = append(out.Deleted, cr.Name)
				}
			}
		}
	}
	// The repository-level status lists the orphans; with none (and a pass that looked), it is
	// obsolete, as is the error status of a first revision that never loaded.
	switch orphans := append(OrphansOf(p.Plan), p.OtherOrphans...); {
	case len(orphans) > 0:
		out.Statuses = append(out.Statuses, BuildRepository(p.Revision, orphans))
	case p.Plan != nil || previous[RepositoryName] != nil && len(previous[RepositoryName].Errors) > 0:
		out.Deleted = append(out.Deleted, RepositoryName)
	}
	return out
}

// withoutRevision reports validation errors before any revision was valid: into the statuses
// already in the repository, or the repository-level status.
func withoutRevision(p Pass, previous map[string]*ClusterStatus) []Input {
	var out []Input
	for _, name := range slices.Sorted(maps.Keys(previous)) {
		prev := previous[name]
		if prev.Cluster == RepositoryName || !spec.ValidClusterName(prev.Cluster) {
			continue // not a status the reconciler wrote: its cluster: would name no file of status/
		}
		out = append(out, Input{Cluster: prev.Cluster, Region: prev.Region, ProjectID: prev.ProjectID, SpecFile: prev.SpecFile,
			Revision: p.Revision, SpecDigest: p.SpecDigest, ValidationErrors: p.ValidationErrors, Previous: prev,
			LastObservedAt: p.LastObservedAt})
	}
	if len(out) == 0 {
		out = append(out, Input{Cluster: RepositoryName, Revision: p.Revision, SpecDigest: p.SpecDigest, ValidationErrors: p.ValidationErrors})
	}
	return out
}

// passIndex is a pass's live clusters, cluster plans and apply results by plan.Key, and what it
// observed by region and project (refKey).
type passIndex struct {
	live     map[string]*cloud.Cluster
	plans    map[string]*plan.ClusterPlan
	results  map[string]*apply.ClusterResult
	observed map[string]bool
	versions map[string][]cloud.Version
}

func refKey(region, projectID string) string { return region + "/" + projectID }

func index(p Pass) passIndex {
	ix := passIndex{live: map[string]*cloud.Cluster{}, plans: map[string]*plan.ClusterPlan{}, results: map[string]*apply.ClusterResult{},
		observed: map[string]bool{}, versions: map[string][]cloud.Version{}}
	for _, s := range p.Snapshots {
		ix.observed[refKey(s.Ref.Region, s.Ref.ProjectID)] = true
		ix.versions[refKey(s.Ref.Region, s.Ref.ProjectID)] = s.Versions
		for i := range s.Clusters {
			if c := &s.Clusters[i]; c.Status != "deleted" {
				ix.live[plan.Key(s.Ref.Region, s.Ref.ProjectID, c.Name)] = c
			}
		}
	}
	if p.Plan != nil {
		for i := range p.Plan.Clusters {
			cp := &p.Plan.Clusters[i]
			ix.plans[plan.Key(cp.Region, cp.ProjectID, cp.Name)] = cp
		}
	}
	if p.Result != nil {
		for i := range p.Result.Clusters {
			cr := &p.Result.Clusters[i]
			ix.results[plan.Key(cr.Region, cr.ProjectID, cr.Name)] = cr
		}
	}
	return ix
}

// withResult records an apply result in the input: the outcomes and, when the cluster was not
// applied, its error (unless the pass already has one and keepPassErr).
func withResult(in *Input, cr *apply.ClusterResult, keepPassErr bool) {
	if cr == nil {
		return
	}
	in.Outcomes = outcomes(cr)
	if cr.State != apply.ClusterApplied && !(keepPassErr && in.Err != "") {
		in.Err, in.ErrAt = cr.Error, failedAction(cr)
		in.Terminal = cr.State == apply.ClusterFailed && !cloud.IsTransient(cr.Err)
	}
}

func outcomes(cr *apply.ClusterResult) []ActionOutcome {
	out := make([]ActionOutcome, 0, len(cr.Actions))
	for _, a := range cr.Actions {
		msg := a.Reason
		if a.Error != "" {
			msg = a.Error
		}
		out = append(out, ActionOutcome{ID: a.ID, Outcome: string(a.Outcome), Message: msg})
	}
	return out
}

func failedAction(cr *apply.ClusterResult) string {
	for _, a := range cr.Actions {
		if a.Outcome == apply.Failed {
			return a.ID
		}
	}
	return ""
}

// maxAges is each pool's rotation maxAge, for the nodes' due dates.
func maxAges(c *spec.Cluster) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, p := range c.Spec.Pools {
		if pol := rotation.ResolvePolicy(p.Rotation); pol.Enabled && pol.Valid() {
			out[p.Name] = pol.MaxAge
		}
	}
	return out
}

// calendars are the plan's rotation calendars (computed once, in the plan) as status shows
// them: per pool, the coming openings that replace nodes, in UTC, and the window's zone.
func calendars(cp *plan.ClusterPlan) (map[string][]Rotation, map[string]string) {
	out, zones := map[string][]Rotation{}, map[string]string{}
	if cp == nil {
		return out, zones
	}
	for _, cal := range cp.RotationCalendar {
		if cal.TimeZone != "" && cal.TimeZone != "UTC" {
			zones[cal.Pool] = cal.TimeZone
		}
		for _, o := range cal.Openings {
			out[cal.Pool] = append(out[cal.Pool], Rotation{WindowStart: o.Start.UTC(), WindowEnd: o.End.UTC(), Nodes: o.Nodes})
		}
	}
	return out, zones
}

// sameSpecApplied reports whether prev describes a completed apply of the specs with digest
// digest: an in-place update of them now sets back a drifted field, not a new spec value.
func sameSpecApplied(prev *ClusterStatus, digest string) bool {
	return prev != nil && digest != "" && prev.SpecDigest == digest &&
		prev.ObservedRevision != "" && prev.ObservedRevision == prev.LastAttemptedRevision
}

// reverted lists the fields the done update actions of cr set back, from the changes of the
// plan the apply executed (before: the live value found, after: the spec's).
func reverted(p Pass, key string, cr *apply.ClusterResult) []DriftRevert {
	if cr == nil || p.ApplyPlan == nil {
		return nil
	}
	var planned *plan.ClusterPlan
	for i := range p.ApplyPlan.Clusters {
		if c := &p.ApplyPlan.Clusters[i]; plan.Key(c.Region, c.ProjectID, c.Name) == key {
			planned = c
		}
	}
	if planned == nil {
		return nil
	}
	var out []DriftRevert
	for _, ar := range cr.Actions {
		if ar.Outcome != apply.Done || !isDriftAction(ar.Type) {
			continue
		}
		for _, a := range planned.Actions {
			if a.ID != ar.ID {
				continue
			}
			for _, d := range drifts(a, "") {
				out = append(out, DriftRevert{Field: d.Field, Before: d.Live, After: d.Spec, At: p.Now.UTC(), Action: a.ID})
			}
		}
	}
	return out
}
