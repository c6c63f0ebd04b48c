package plan

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Compute plans every cluster: the desired specs against the snapshots at in.Now. It returns an
// error (every problem, each naming its cluster) when a spec asks for something impossible: a
// downgrade, a version or type the API cannot reach, an immutable cluster field changed, a spec
// without a snapshot of its region+project, a node type its zone's catalog does not offer
// (nodetypes.go), a peak of new Instances over a zone's known quota (quota.go). The plan is then
// nil: a partial plan is never applied.
func Compute(in Input) (*Plan, error) {
	snaps := map[cloud.Ref]*indexed{}
	var errs []error
	for _, s := range in.Snapshots {
		if s == nil {
			continue
		}
		if _, dup := snaps[s.Ref]; dup {
			errs = append(errs, fmt.Errorf("two snapshots for region %s project %s", s.Ref.Region, s.Ref.ProjectID))
		}
		snaps[s.Ref] = index(s)
	}
	windows := map[spec.Window]*gate{}
	fl := newFleet(in, snaps)
	desired := slices.Clone(in.Desired)
	slices.SortFunc(desired, func(a, b *spec.Cluster) int {
		return cmpKey(a.Spec.Region, a.Spec.ProjectID, a.Metadata.Name, b.Spec.Region, b.Spec.ProjectID, b.Metadata.Name)
	})
	named := map[string]bool{}
	p := &Plan{FormatVersion: FormatVersion, Revision: in.Revision, Now: in.Now, Clusters: []ClusterPlan{}}
	for _, c := range desired {
		key := Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name)
		if named[key] {
			errs = append(errs, fmt.Errorf("cluster %s: two specs name it in region %s project %s", c.Metadata.Name, c.Spec.Region, c.Spec.ProjectID))
			continue
		}
		named[key] = true
		snap, ok := snaps[cloud.Ref{Region: c.Spec.Region, ProjectID: c.Spec.ProjectID}]
		if !ok {
			errs = append(errs, fmt.Errorf("cluster %s: no live snapshot of region %s project %s", c.Metadata.Name, c.Spec.Region, c.Spec.ProjectID))
			continue
		}
		cp, err := planCluster(in, c, snap, windows, fl)
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster %s (%s): %w", c.Metadata.Name, c.Spec.Region, err))
			continue
		}
		fl.annotate(&cp, c, in)
		p.Clusters = append(p.Clusters, cp)
	}
	for _, ix := range snaps {
		s := ix.snap
		for i := range s.Clusters {
			live := &s.Clusters[i]
			if live.Status == "deleted" || named[Key(s.Ref.Region, s.Ref.ProjectID, live.Name)] {
				continue
			}
			if cp, ok := planOrphan(in, s.Ref, live); ok {
				p.Clusters = append(p.Clusters, cp)
			}
		}
	}
	errs = append(errs, checkQuotas(p, snaps)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(p.Clusters, func(a, b ClusterPlan) int {
		return cmp.Or(cmpKey(a.Region, a.ProjectID, a.Name, b.Region, b.ProjectID, b.Name), cmp.Compare(a.ID, b.ID))
	})
	p.Summary = summarize(p.Clusters)
	p.Rollout = fl.rolloutPlan(p.Clusters)
	return p, nil
}

func cmpKey(r1, p1, n1, r2, p2, n2 string) int {
	return cmp.Or(cmp.Compare(r1, r2), cmp.Compare(p1, p2), cmp.Compare(n1, n2))
}

// Action phases: the order actions run in within a cluster (docs/contracts.md §4).
const (
	phCreateCluster = iota
	phSetType
	phUpdateCluster
	phUpgrade
	phCreatePool
	phUpdatePool
	phReplacePool
	phDeletePool
	phRotate
	phDeleteCluster
)

// draft is an action being planned, with what ordering and gating need.
type draft struct {
	a     Action
	phase int
	hop   int // upgrades: the hop the action belongs to (0 = before any control-plane hop)
	sub   int // upgrades: 0 control plane, 1 pools
	pool  *cloud.Pool
	gate  *gate
}

// work accumulates one cluster's plan.
type work struct {
	cp     ClusterPlan
	drafts []*draft
	// windows caches window evaluations at in.Now across clusters (parsing loads time zones).
	windows map[spec.Window]*gate
	// fleet is the rollout's view of every desired cluster (waves.go).
	fleet *fleet
	// snap is the cluster's snapshot (node-type catalogs; nil for orphans).
	snap *cloud.Snapshot
}

// indexed is a snapshot with its clusters by name and its catalog.
type indexed struct {
	snap   *cloud.Snapshot
	byName map[string][]*cloud.Cluster
	cat    catalog
}

func index(s *cloud.Snapshot) *indexed {
	ix := &indexed{snap: s, byName: map[string][]*cloud.Cluster{}, cat: newCatalog(s.Versions)}
	for i := range s.Clusters {
		c := &s.Clusters[i]
		ix.byName[c.Name] = append(ix.byName[c.Name], c)
	}
	return ix
}

func (w *work) warn(code, format string, args ...any) {
	w.cp.Warnings = append(w.cp.Warnings, Warning{Code: code, Message: fmt.Sprintf(format, args...)})
}

func (w *work) add(d *draft) *draft {
	if d.a.Changes == nil {
		d.a.Changes = []Change{}
	}
	w.drafts = append(w.drafts, d)
	return d
}

func newClusterPlan(name, region, project string) ClusterPlan {
	return ClusterPlan{Name: name, Region: region, ProjectID: project,
		Actions: []Action{}, Deferred: []Deferred{}, Warnings: []Warning{}}
}

func actionID(cluster string, t ActionType, parts ...string) string {
	return strings.Join(append([]string{cluster, string(t)}, parts...), "/")
}

func clusterTarget(name string) string       { return "cluster/" + name }
func poolTarget(cluster, pool string) string { return "pool/" + cluster + "/" + pool }

// planCluster plans one desired cluster against its snapshot.
func planCluster(in Input, c *spec.Cluster, snap *indexed, windows map[spec.Window]*gate, fl *fleet) (ClusterPlan, error) {
	name := c.Metadata.Name
	w := &work{cp: newClusterPlan(name, c.Spec.Region, c.Spec.ProjectID), windows: windows, fleet: fl, snap: snap.snap}
	cat := snap.cat
	var live *cloud.Cluster
	for _, lc := range snap.byName[name] {
		if lc.Status == "deleted" {
			continue
		}
		if live != nil {
			return ClusterPlan{}, fmt.Errorf("two live clusters are named %s (%s, %s): rename one", name, live.ID, lc.ID)
		}
		live = lc
	}
	if live == nil {
		if err := planCreate(w, c, cat, in); err != nil {
			return ClusterPlan{}, err
		}
		if err := checkNodeTypes(w, c); err != nil {
			return ClusterPlan{}, err
		}
		return w.finish(), nil
	}
	w.cp.ID = live.ID
	w.cp.BasedOn = FingerprintOf(live)
	own := ownershipOf(live, in.Owner)
	switch {
	case own == foreign:
		w.warn("owned-elsewhere", "%s", foreignMessage(live, in.Owner))
		reportDrift(w, c, live, in.Owner, "the cluster is owned by another repository: the difference is reported, not reverted")
		return w.finish(), nil
	case own == unmanaged && !c.Spec.Adopt:
		w.warn("not-owned", "live cluster %s (%s) lacks the %s tag and spec.adopt is false: it is left untouched", name, live.ID, cloud.ManagedByTag)
		reportDrift(w, c, live, in.Owner, "the cluster is not managed (spec.adopt is false): the difference is reported, not reverted")
		return w.finish(), nil
	case own == legacy && in.Owner != "":
		w.warn("claim-legacy", "live cluster %s (%s) carries %s but no owner tag: this plan tags it %s", name, live.ID, cloud.ManagedByTag, cloud.OwnerTag(in.Owner))
	}
	owned := own != unmanaged
	// Node types are checked even when the rest failed, so every error is reported at once.
	if err := errors.Join(planExisting(w, in, c, live, cat, owned), checkNodeTypes(w, c)); err != nil {
		return ClusterPlan{}, err
	}
	return w.finish(), nil
}

// reportDrift records, for a live cluster the reconciler does not manage, the cluster fields that
// differ from its spec: an update-cluster deferred as not-owned, never run (status shows it as
// "not managed"). Fields that could not change in place are left out.
func reportDrift(w *work, c *spec.Cluster, live *cloud.Cluster, owner, msg string) {
	changes, _, _ := clusterChanges(c, live, owner)
	if len(changes) == 0 {
		return
	}
	w.add(&draft{phase: phUpdateCluster, gate: &gate{WhyNotOwned, msg}, a: Action{
		ID: actionID(c.Metadata.Name, UpdateCluster), Type: UpdateCluster, Target: clusterTarget(c.Metadata.Name),
		Reason: "spec-changed", Changes: changes}})
}

// planCreate plans a cluster that does not exist yet: one create-cluster with its pools inline.
func planCreate(w *work, c *spec.Cluster, cat catalog, in Input) error {
	want, err := spec.ParseVersion(c.Spec.Version)
	if err != nil {
		return err
	}
	latest, ok := cat.latestOf(want)
	switch {
	case !ok:
		return fmt.Errorf("%s: spec.version: version %s is not offered by the version catalog (offered: %s) (hint: a minor past its end of life can no longer be created: write %q)",
			c.Pos("spec.version"), want, cat.minors(), cat.nearestAbove(want))
	case want.Exact && want.Patch != latest.Patch:
		return fmt.Errorf("version %s cannot be created: the catalog offers %s for %s (write %q or %q)", want, latest, want.MinorString(), want.MinorString(), latest.String())
	}
	if typeFamily(clusterType(c)) == "" {
		return fmt.Errorf("unknown cluster type %q", clusterType(c))
	}
	versionWarnings(w, cat, latest, in)
	d := DesiredCluster(c, in.Owner)
	if typeTier(d.Type) > 0 {
		commitmentStarts(w, c.Metadata.Name, "", d.Type, in.Now)
	}
	changes := []Change{
		{Path: "spec.type", Before: nil, After: d.Type},
		{Path: "spec.version", Before: nil, After: latest.String()},
		{Path: "spec.cni", Before: nil, After: d.CNI},
		{Path: "spec.tags", Before: nil, After: d.Tags},
	}
	var pools []string
	for _, p := range d.Pools {
		pools = append(pools, p.Name)
		changes = append(changes, Change{Path: "spec.pools[" + p.Name + "]", Before: nil, After: poolSummary(p)})
	}
	d.Version = latest.String()
	w.add(&draft{phase: phCreateCluster, a: Action{
		ID: actionID(c.Metadata.Name, CreateCluster), Type: CreateCluster, Target: clusterTarget(c.Metadata.Name),
		Reason: "not-found", Changes: changes, Payload: Payload{Cluster: &d},
		Details: map[string]string{"region": c.Spec.Region, "project_id": c.Spec.ProjectID, "version": latest.String(),
			"type": d.Type, "pools": strings.Join(pools, ",")},
	}})
	return nil
}

// poolSummary is a one-line description of a pool to create.
func poolSummary(p cloud.Pool) string {
	s := fmt.Sprintf("%s ×%d in %s", p.NodeType, p.Size, p.Zone)
	if p.Autoscaling {
		s = fmt.Sprintf("%s in %s, autoscaling %d–%d", p.NodeType, p.Zone, p.MinSize, p.MaxSize)
	}
	return s
}

// typeFamily is kapsule or multicloud for a known cluster type, "" otherwise.
func typeFamily(t string) string {
	for _, fam := range []string{spec.TypeKapsule, spec.TypeMulticloud} {
		if t == fam {
			return fam
		}
		if n, ok := strings.CutPrefix(t, fam+"-dedicated-"); ok && slices.Contains([]string{"4", "8", "16"}, n) {
			return fam
		}
	}
	return ""
}

// versionWarnings reports a deprecated or end-of-life version from the catalog's dates.
func versionWarnings(w *work, cat catalog, v spec.Version, in Input) {
	e, ok := cat.entry(v)
	if !ok {
		w.warn("version-not-in-catalog", "%s is not in the region's version catalog (offered: %s)", v.MinorString(), cat.minors())
		return
	}
	day := func(t interface{ Format(string) string }) string { return t.Format("2006-01-02") }
	switch {
	case e.EndOfLifeAt != nil && !in.Now.Before(*e.EndOfLifeAt):
		w.warn("version-end-of-life", "Kubernetes %s reached end of life on %s: Scaleway force-upgrades it to the next minor", v.MinorString(), day(*e.EndOfLifeAt))
	case e.DeprecatedAt != nil && !in.Now.Before(*e.DeprecatedAt):
		eol := "no end-of-life date"
		if e.EndOfLifeAt != nil {
			eol = "end of life on " + day(*e.EndOfLifeAt)
		}
		w.warn("version-deprecated", "Kubernetes %s is deprecated since %s (%s): plan the upgrade", v.MinorString(), day(*e.DeprecatedAt), eol)
	}
}

// planExisting plans a live cluster the spec names and the reconciler may change.
func planExisting(w *work, in Input, c *spec.Cluster, live *cloud.Cluster, cat catalog, owned bool) error {
	name := c.Metadata.Name
	base := func() map[string]string {
		return map[string]string{"region": live.Region, "project_id": live.ProjectID, "cluster_id": live.ID}
	}
	if !slices.Contains(knownClusterStatuses, live.Status) {
		w.warn("cluster-error", "cluster %s is in status %q", name, live.Status)
	}
	cat = cat.withLive(live.LiveVersion)
	liveV, verr := spec.ParseVersion(live.Version)
	if verr == nil && liveV.Exact {
		versionWarnings(w, cat, liveV, in)
	}
	var errs []error

	// Type.
	if want := clusterType(c); want != live.Type {
		switch {
		case typeFamily(want) == "":
			errs = append(errs, fmt.Errorf("unknown cluster type %q", want))
		case typeFamily(want) != typeFamily(live.Type):
			errs = append(errs, fmt.Errorf("cannot change the type from %s to %s: only within a family (kapsule ↔ kapsule-dedicated-*, multicloud ↔ multicloud-dedicated-*)", live.Type, want))
		default:
			det := base()
			det["type"], det["from_type"] = want, live.Type
			d := w.add(&draft{phase: phSetType, a: Action{ID: actionID(name, SetClusterType, want), Type: SetClusterType,
				Target: clusterTarget(name), Reason: "spec-changed", Details: det, Payload: Payload{Type: want},
				Changes: []Change{{Path: "spec.type", Before: live.Type, After: want}}}})
			commitment(w, in.Now, live, want, d)
		}
	}

	// Cluster fields.
	changes, update, immutable := clusterChanges(c, live, in.Owner)
	for _, m := range immutable {
		errs = append(errs, errors.New(m))
	}
	if len(changes) > 0 {
		reason := "spec-changed"
		if !owned {
			reason = "adopt"
		}
		w.add(&draft{phase: phUpdateCluster, a: Action{ID: actionID(name, UpdateCluster), Type: UpdateCluster,
			Target: clusterTarget(name), Reason: reason, Changes: changes, Details: base(), Payload: Payload{ClusterUpdate: &update}}})
	}

	// API server access list.
	if d := aclAction(c, live, base); d != nil {
		w.add(d)
	}

	// Version path.
	autoUp := c.Spec.AutoUpgrade != nil && c.Spec.AutoUpgrade.Enabled
	hops, note, err := upgradeHops(w, c, live, autoUp, cat, in.Now)
	if err != nil {
		errs = append(errs, err)
	}
	if note != nil {
		w.warn(note.code, "%s", note.msg)
		w.cp.SpecBehind = note.behind
	}
	prev := live.Version
	for i, h := range hops {
		det := base()
		det["version"], det["hop"] = h.String(), strconv.Itoa(i+1)
		w.add(&draft{phase: phUpgrade, hop: i + 1, a: Action{ID: actionID(name, UpgradeCluster, h.String()), Type: UpgradeCluster,
			Target: clusterTarget(name), Reason: "version-behind", Details: det, Payload: Payload{Version: h.String()},
			Changes: []Change{{Path: "spec.version", Before: prev, After: h.String()}}}})
		prev = h.String()
	}

	// Pools.
	if err := planPools(w, c, live, hops, autoUp, base, in.Now); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}

	// Node rotation, and the calendar of the coming openings.
	if in.Rotate {
		acts, defs, cals, warns := rotations(c, live, in.Now)
		for i, a := range acts {
			// sub keeps the order (per pool, oldest node first): the rotator runs them so.
			w.add(&draft{phase: phRotate, sub: i, a: a, pool: poolByName(live, a.Payload.Rotate.Pool)})
		}
		w.cp.Deferred = append(w.cp.Deferred, defs...)
		w.cp.RotationCalendar = cals
		w.cp.Warnings = append(w.cp.Warnings, warns...)
	}
	applyGates(w, c, live, in)
	return nil
}

func poolByName(c *cloud.Cluster, name string) *cloud.Pool {
	for i := range c.Pools {
		if c.Pools[i].Name == name {
			return &c.Pools[i]
		}
	}
	return nil
}

// finish orders the actions and deferrals and returns the cluster plan.
func (w *work) finish() ClusterPlan {
	slices.SortStableFunc(w.drafts, func(a, b *draft) int {
		return cmp.Or(cmp.Compare(a.phase, b.phase), cmp.Compare(a.hop, b.hop), cmp.Compare(a.sub, b.sub),
			cmp.Compare(a.a.Target, b.a.Target), cmp.Compare(a.a.ID, b.a.ID))
	})
	for _, d := range w.drafts {
		if d.gate != nil {
			w.cp.Deferred = append(w.cp.Deferred, Deferred{Action: d.a, Why: d.gate.why, Message: d.gate.msg})
			continue
		}
		w.cp.Actions = append(w.cp.Actions, d.a)
	}
	slices.SortStableFunc(w.cp.Warnings, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Message, b.Message))
	})
	w.cp.Warnings = slices.Compact(w.cp.Warnings)
	return w.cp
}

// planOrphan handles a live cluster no spec names. Only a cluster with this repository's owner
// tag, or one a status file of the repository names, appears in the plan. It is a delete-cluster when every condition of the deletion rule holds
// (deletionBlockers), a warning naming each unmet condition otherwise. One of ours that no status
// names either is an orphan (ClusterPlan.Orphan: created by a run that stopped before writing
// its status): reported, counted in the summary, and deleted only under the same rule.
func planOrphan(in Input, ref cloud.Ref, live *cloud.Cluster) (ClusterPlan, bool) {
	if live.Status == "deleting" {
		return ClusterPlan{}, false
	}
	key := Key(ref.Region, ref.ProjectID, live.Name)
	rec, recorded := in.LastApplied[key]
	own := ownershipOf(live, in.Owner)
	if !recorded && own != ours {
		return ClusterPlan{}, false // not this repository's to describe
	}
	w := &work{cp: newClusterPlan(live.Name, ref.Region, ref.ProjectID)}
	w.cp.ID = live.ID
	w.cp.BasedOn = FingerprintOf(live)
	if !recorded {
		w.cp.Orphan = true
		w.warn("orphan", "cluster %s (%s) carries this repository's owner tag but no spec and no status name it (a run stopped before writing its status?): add a spec to keep it, or let the deletion rule remove it", live.Name, live.ID)
	}
	if why := deletionBlockers(in, live, own, rec, recorded); len(why) > 0 {
		described := ""
		if recorded {
			described = " (" + rec.File + " describes it)"
		}
		w.warn("cluster-not-in-spec", "cluster %s (%s) has no spec%s; it is not deleted because %s", live.Name, live.ID, described, strings.Join(why, " and "))
		return w.finish(), true
	}
	evidence := fmt.Sprintf("it carries %s and %s", cloud.OwnerTag(in.Owner), cloud.ProtectionTag(false))
	if recorded {
		evidence += " and " + rec.File + " records the same id"
	}
	w.warn("deletion-authorised", "cluster %s (%s) has no spec and prune is on; %s: it is deleted", live.Name, live.ID, evidence)
	d := w.add(&draft{phase: phDeleteCluster, a: Action{ID: actionID(live.Name, DeleteCluster), Type: DeleteCluster,
		Target: clusterTarget(live.Name), Reason: "not-in-spec", Disruptive: true,
		Details: map[string]string{"region": ref.Region, "project_id": ref.ProjectID, "cluster_id": live.ID, "owner": in.Owner},
		Payload: Payload{Delete: &Deletion{ClusterID: live.ID, Owner: in.Owner}}}})
	if g := clusterGate(live); g != nil && live.Status != "creating" {
		d.gate = g
	}
	return w.finish(), true
}

// summarize counts actions by kind across clusters.
func summarize(cs []ClusterPlan) Summary {
	var s Summary
	for _, c := range cs {
		s.Deferred += len(c.Deferred)
		for _, a := range c.Actions {
			switch a.Type {
			case CreateCluster, CreatePool:
				s.Create++
			case UpdateCluster, UpdatePool, SetClusterType, SetClusterACL:
				s.Update++
			case UpgradeCluster, UpgradePool:
				s.Upgrade++
			case ReplacePool:
				s.Replace++
			case DeleteCluster, DeletePool:
				s.Delete++
			case RotateNode:
				s.Rotate++
			}
		}
		if c.Orphan {
			s.Orphans++
		}
	}
	return s
}
