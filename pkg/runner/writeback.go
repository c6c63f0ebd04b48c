package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/reconcile"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// RepositoryStatusName is the repository-level status file: validation errors when no cluster is
// known yet (the very first revision is invalid), and the orphans.
const RepositoryStatusName = status.RepositoryName

type passOutcome struct {
	pass *passResult
	err  error
}

// writeStatuses renders every cluster's status and report and commits them when they changed.
func (r *Runner) writeStatuses(ctx context.Context, co *source.Checkout, po *passOutcome, res *TickResult) error {
	if err := r.loadPreviousStatuses(ctx, co); err != nil {
		return fmt.Errorf("read previous statuses: %w", err)
	}
	files := map[string][]byte{}
	for _, in := range r.statusInputs(po) {
		st := status.Build(in)
		y, err := status.MarshalYAML(st)
		if err != nil {
			return err
		}
		sp, rp := status.Paths(in.Cluster)
		files[sp] = y
		files[rp] = status.Report(st)
	}
	// A cluster this pass deleted takes its status and report with it (nil content deletes),
	// unless the plan made after the delete still shows it.
	for _, name := range r.deletedClusters(po) {
		if sp, rp := status.Paths(name); files[sp] == nil {
			files[sp], files[rp] = nil, nil
		}
	}
	// Once a revision is valid, the repository-level status lists the orphans, or, with none,
	// is obsolete: delete it (nil content deletes).
	if sp, rp := status.Paths(RepositoryStatusName); r.state.good != nil {
		var final *reconcile.Pass
		if po != nil && po.pass != nil {
			final = po.pass.final()
		}
		switch orphans := status.OrphansOf(finalPlan(final)); {
		case len(orphans) > 0:
			st := status.BuildRepository(r.revisionInForce(co), orphans)
			y, err := status.MarshalYAML(st)
			if err != nil {
				return err
			}
			files[sp], files[rp] = y, status.Report(st)
		case final == nil:
			// No pass (a failed fetch or plan): what was said stays.
		case r.state.statuses[sp] != nil:
			files[sp], files[rp] = nil, nil
		}
	}
	var changed []string
	for _, p := range slices.Sorted(maps.Keys(files)) {
		_, known := r.state.statuses[p]
		if strings.HasPrefix(p, "status/") && (!bytes.Equal(r.state.statuses[p], files[p]) || (files[p] == nil && known)) {
			changed = append(changed, strings.TrimSuffix(strings.TrimPrefix(p, "status/"), ".yaml"))
		}
	}
	if len(changed) == 0 {
		return nil
	}
	msg := commitMessage(changed, r.revisionInForce(co), res)
	rev, err := r.Source.Commit(ctx, files, msg, r.Author)
	if errors.Is(err, source.ErrNoChanges) {
		r.remember(files)
		return nil
	}
	if err != nil {
		r.state.retry = true
		return fmt.Errorf("commit status: %w", err)
	}
	r.remember(files)
	res.StatusCommit = rev
	r.notify("committed", "status commit %s (%s)", revision.Short(rev), strings.SplitN(msg, "\n", 2)[0])
	return nil
}

func (r *Runner) remember(files map[string][]byte) {
	for p, b := range files {
		switch {
		case !strings.HasPrefix(p, "status/"):
		case b == nil:
			delete(r.state.statuses, p)
		default:
			r.state.statuses[p] = b
		}
	}
}

// loadPreviousStatuses reads status/*.yaml once, so a restarted loop knows the last applied
// specs and writes nothing when nothing changed. They are read from the fetched tree, or, when
// status is committed to another branch, from that branch's head (a status branch that does
// not exist yet is created from the spec head by the first commit, so the fetched tree is what
// it will hold). A failed read leaves nothing loaded: the next tick tries again, and no pass
// runs without the record of what was last applied.
func (r *Runner) loadPreviousStatuses(ctx context.Context, co *source.Checkout) error {
	if r.state.statuses != nil {
		return nil
	}
	var tree fs.FS = co.FS
	if sb, ok := r.Source.(StatusBranchSource); ok && sb.TargetBranch() != sb.Branch() {
		t, err := sb.StatusTree(ctx)
		switch {
		case err == nil:
			tree = t
		case !errors.Is(err, source.ErrBranchNotFound):
			return err
		}
	}
	statuses, skipped := status.ReadFiles(tree)
	for _, err := range skipped {
		r.log().Warn("status file ignored", "err", err)
	}
	r.state.statuses = statuses
	return nil
}

// revisionInForce is the spec revision the statuses describe: the failed one when the newest
// revision is invalid, else the last good one.
func (r *Runner) revisionInForce(co *source.Checkout) string {
	switch {
	case r.state.failed != nil:
		return r.state.failed.revision
	case r.state.good != nil:
		return r.state.good.checkout.Revision
	}
	return co.Revision
}

func commitMessage(names []string, rev string, res *TickResult) string {
	subject := fmt.Sprintf("status: %s @ %s", strings.Join(names, ", "), revision.Short(rev))
	body := fmt.Sprintf("Pass reason: %s. Actions done: %d.", res.Why, res.Applied)
	if res.Invalid {
		body += " The revision failed validation; nothing was applied from it."
	}
	return subject + "\n\n" + body + "\n"
}

// statusInputs assembles, per cluster, what status.Build needs.
func (r *Runner) statusInputs(po *passOutcome) []status.Input {
	attempted := ""
	var verrs []string
	if f := r.state.failed; f != nil {
		attempted, verrs = f.revision, f.errors
	}
	if r.state.good == nil {
		return withDigest(r.inputsWithoutGoodRevision(attempted, verrs), r.state.failed)
	}
	if attempted == "" {
		attempted = r.state.good.checkout.Revision
	}
	var final *reconcile.Pass
	var applied *apply.Result
	if po != nil {
		final = po.pass.final()
		if po.pass != nil {
			applied = po.pass.applied
		}
	}
	now := r.clock().Now()
	var out []status.Input
	for _, c := range r.state.good.repo.Clusters {
		in := status.Input{
			Cluster: c.Metadata.Name, Region: c.Spec.Region, ProjectID: c.Spec.ProjectID,
			SpecFile: c.Source.File, Revision: attempted, ValidationErrors: verrs,
			DeletionProtection: c.Spec.DeletionProtection == nil || *c.Spec.DeletionProtection,
			DriftPolicy:        c.Spec.Drift, MaxAge: maxAges(c),
			Previous: r.previous(c.Metadata.Name),
		}
		in.Live, in.Plan = lookup(final, c)
		if in.Live != nil {
			in.Calendar = calendars(c, in.Live, now)
		}
		if po != nil && po.err != nil {
			in.Err, in.Terminal = po.err.Error(), !cloud.IsTransient(po.err)
		}
		if cr := clusterResult(applied, c); cr != nil {
			in.Outcomes = outcomes(cr)
			if cr.State != apply.ClusterApplied && in.Err == "" {
				in.Err, in.ErrAt = cr.Error, failedAction(cr)
				in.Terminal = cr.State == apply.ClusterFailed && !cloud.IsTransient(cr.Err)
			}
		}
		in.Applied = po != nil && in.Err == "" && verrs == nil
		out = append(out, in)
	}
	out = append(out, r.orphanInputs(final, applied, attempted)...)
	if r.state.failed == nil {
		for i := range out {
			out[i].SpecDigest = r.state.good.checkout.SpecDigest
		}
	}
	return withDigest(out, r.state.failed)
}

// withDigest sets the attempted revision's spec digest: the failed revision's when there is one.
func withDigest(ins []status.Input, f *failedRevision) []status.Input {
	if f != nil {
		for i := range ins {
			ins[i].SpecDigest = f.digest
		}
	}
	return ins
}

// orphanInputs reports the live clusters the plan shows that no spec names (DESIGN §7: the
// warning saying why one is kept, or its pending delete-cluster, is said in its status too).
// Their record of the last applied spec is kept as it is (Applied stays false). Only clusters
// this repository has a status for are reported (a tagged cluster of another repository in the
// same project is not this one's to describe), and a name a spec uses is left to that spec's
// status (status files are named by cluster name only).
func (r *Runner) orphanInputs(final *reconcile.Pass, applied *apply.Result, rev string) []status.Input {
	if final == nil || final.Plan == nil {
		return nil
	}
	specNames := map[string]bool{}
	for _, c := range r.state.good.repo.Clusters {
		specNames[c.Metadata.Name] = true
	}
	var out []status.Input
	for i := range final.Plan.Clusters {
		cp := &final.Plan.Clusters[i]
		if specNames[cp.Name] {
			continue
		}
		prev := r.previous(cp.Name)
		if prev == nil || prev.Region != cp.Region || prev.ProjectID != cp.ProjectID {
			continue
		}
		in := status.Input{Cluster: cp.Name, Region: cp.Region, ProjectID: cp.ProjectID, Revision: rev,
			SpecFile: prev.SpecFile, Live: liveCluster(final, cp), Plan: cp, Previous: prev}
		if cr := findResult(applied, cp.Name, cp.Region); cr != nil {
			in.Outcomes = outcomes(cr)
			if cr.State != apply.ClusterApplied {
				in.Err, in.ErrAt = cr.Error, failedAction(cr)
				in.Terminal = cr.State == apply.ClusterFailed && !cloud.IsTransient(cr.Err)
			}
		}
		out = append(out, in)
	}
	return out
}

// deletedClusters names the clusters this pass deleted that no spec names: their status and
// report go with them.
func (r *Runner) deletedClusters(po *passOutcome) []string {
	if po == nil || po.pass == nil || po.pass.applied == nil || r.state.good == nil {
		return nil
	}
	specNames := map[string]bool{}
	for _, c := range r.state.good.repo.Clusters {
		specNames[c.Metadata.Name] = true
	}
	var out []string
	for _, cr := range po.pass.applied.Clusters {
		for _, a := range cr.Actions {
			if a.Type == plan.DeleteCluster && a.Outcome == apply.Done && !specNames[cr.Name] {
				out = append(out, cr.Name)
			}
		}
	}
	return out
}

func finalPlan(p *reconcile.Pass) *plan.Plan {
	if p == nil {
		return nil
	}
	return p.Plan
}

func liveCluster(p *reconcile.Pass, cp *plan.ClusterPlan) *cloud.Cluster {
	for _, s := range p.Snapshots {
		if s.Ref.Region != cp.Region || s.Ref.ProjectID != cp.ProjectID {
			continue
		}
		for i := range s.Clusters {
			if s.Clusters[i].Name == cp.Name && s.Clusters[i].Status != "deleted" {
				return &s.Clusters[i]
			}
		}
	}
	return nil
}

func findResult(res *apply.Result, name, region string) *apply.ClusterResult {
	if res == nil {
		return nil
	}
	for i := range res.Clusters {
		if res.Clusters[i].Name == name && res.Clusters[i].Region == region {
			return &res.Clusters[i]
		}
	}
	return nil
}

// inputsWithoutGoodRevision reports validation errors before any revision was valid: into the
// statuses already in the repository, or a repository-level status.
func (r *Runner) inputsWithoutGoodRevision(rev string, verrs []string) []status.Input {
	var out []status.Input
	for _, p := range slices.Sorted(maps.Keys(r.state.statuses)) {
		prev, err := status.ParseYAML(r.state.statuses[p])
		if err != nil || prev.Cluster == RepositoryStatusName {
			continue
		}
		out = append(out, status.Input{Cluster: prev.Cluster, Region: prev.Region, ProjectID: prev.ProjectID,
			SpecFile: prev.SpecFile, Revision: rev, ValidationErrors: verrs, Previous: prev})
	}
	if len(out) == 0 {
		out = append(out, status.Input{Cluster: RepositoryStatusName, Revision: rev, ValidationErrors: verrs})
	}
	return out
}

func (r *Runner) previous(name string) *status.ClusterStatus {
	sp, _ := status.Paths(name)
	b, ok := r.state.statuses[sp]
	if !ok {
		return nil
	}
	s, err := status.ParseYAML(b)
	if err != nil {
		return nil
	}
	return s
}

func lookup(p *reconcile.Pass, c *spec.Cluster) (*cloud.Cluster, *plan.ClusterPlan) {
	if p == nil {
		return nil, nil
	}
	var live *cloud.Cluster
	for _, s := range p.Snapshots {
		if s.Ref.Region != c.Spec.Region || s.Ref.ProjectID != c.Spec.ProjectID {
			continue
		}
		for i := range s.Clusters {
			if s.Clusters[i].Name == c.Metadata.Name {
				live = &s.Clusters[i]
			}
		}
	}
	var cp *plan.ClusterPlan
	if p.Plan != nil {
		for i := range p.Plan.Clusters {
			pc := &p.Plan.Clusters[i]
			if pc.Name == c.Metadata.Name && pc.Region == c.Spec.Region {
				cp = pc
			}
		}
	}
	return live, cp
}

func clusterResult(res *apply.Result, c *spec.Cluster) *apply.ClusterResult {
	if res == nil {
		return nil
	}
	for i := range res.Clusters {
		if res.Clusters[i].Name == c.Metadata.Name && res.Clusters[i].Region == c.Spec.Region {
			return &res.Clusters[i]
		}
	}
	return nil
}

func outcomes(cr *apply.ClusterResult) []status.ActionOutcome {
	out := make([]status.ActionOutcome, 0, len(cr.Actions))
	for _, a := range cr.Actions {
		msg := a.Reason
		if a.Error != "" {
			msg = a.Error
		}
		out = append(out, status.ActionOutcome{ID: a.ID, Outcome: string(a.Outcome), Message: msg})
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

func maxAges(c *spec.Cluster) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, p := range c.Spec.Pools {
		if pol := rotation.ResolvePolicy(p.Rotation); pol.Enabled && pol.Valid() {
			out[p.Name] = pol.MaxAge
		}
	}
	return out
}

func calendars(c *spec.Cluster, live *cloud.Cluster, now time.Time) map[string][]status.Rotation {
	out := map[string][]status.Rotation{}
	for _, cal := range rotation.Calendars(c, live, now) {
		for _, o := range cal.Openings {
			if len(o.Nodes) == 0 {
				continue
			}
			rot := status.Rotation{WindowStart: o.Start.UTC(), WindowEnd: o.End.UTC()}
			for _, n := range o.Nodes {
				rot.Nodes = append(rot.Nodes, n.Name)
			}
			out[cal.Pool] = append(out[cal.Pool], rot)
		}
	}
	return out
}
