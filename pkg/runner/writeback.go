package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/revision"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// RepositoryStatusName is the repository-level status file: validation errors when no cluster is
// known yet (the very first revision is invalid), and the orphans.
const RepositoryStatusName = status.RepositoryName

type passOutcome struct {
	pass *passResult
	err  error
}

// writeStatuses renders every cluster's status and report (status.Assemble) and commits them
// when they changed.
func (r *Runner) writeStatuses(ctx context.Context, co *checkout.Checkout, po *passOutcome, res *TickResult) error {
	if err := r.loadPreviousStatuses(ctx, co); err != nil {
		return fmt.Errorf("read previous statuses: %w", err)
	}
	asm := status.Assemble(r.statusPass(po), ownedStatuses(r.previousStatuses(), r.state.set))
	r.recordRollout(asm.Statuses, po)
	res.Clusters, res.statuses = clusterHealth(asm, po), asm.Statuses
	files := map[string][]byte{}
	for _, st := range asm.Statuses {
		if st.Cluster == RepositoryStatusName && !writesRepositoryStatus(st.Cluster, r.state.set) {
			continue
		}
		y, err := status.MarshalYAML(st)
		if err != nil {
			return err
		}
		sp, rp := status.Paths(st.Cluster)
		files[sp], files[rp] = y, status.Report(st)
	}
	for _, name := range asm.Deleted { // nil content deletes
		if name == RepositoryStatusName && !writesRepositoryStatus(name, r.state.set) {
			continue
		}
		sp, rp := status.Paths(name)
		files[sp], files[rp] = nil, nil
	}
	// Compared with what the branch holds now, not with what this process last wrote: status
	// files (or the whole status branch) deleted by hand are written again by the next pass.
	onBranch, err := r.statusesOnBranch(ctx, co)
	if err != nil {
		r.state.retry = true
		return fmt.Errorf("read statuses on the branch: %w", err)
	}
	var changed []string
	for _, p := range slices.Sorted(maps.Keys(files)) {
		_, known := onBranch[p]
		if strings.HasPrefix(p, "status/") && (!bytes.Equal(onBranch[p], files[p]) || (files[p] == nil && known)) {
			changed = append(changed, strings.TrimSuffix(strings.TrimPrefix(p, "status/"), ".yaml"))
		}
	}
	if len(changed) == 0 {
		return nil
	}
	msg := commitMessage(changed, r.revisionInForce(co), res, po)
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
func (r *Runner) loadPreviousStatuses(ctx context.Context, co *checkout.Checkout) error {
	if r.state.statuses != nil {
		return nil
	}
	tree, err := r.statusTree(ctx, co)
	if err != nil {
		return err
	}
	statuses, skipped := status.ReadFiles(tree)
	for _, err := range skipped {
		r.log().Warn("status file ignored", "err", err)
	}
	r.state.statuses = statuses
	return nil
}

// statusesOnBranch are the status files the branch status is committed to holds now: the fetched
// tree's, or the status branch head's (the spec head's when the status branch is gone).
func (r *Runner) statusesOnBranch(ctx context.Context, co *checkout.Checkout) (map[string][]byte, error) {
	tree, err := r.statusTree(ctx, co)
	if err != nil {
		return nil, err
	}
	files, _ := status.ReadFiles(tree)
	return files, nil
}

// statusTree is the tree the status files are read from: the fetched one, or the status
// branch's head when status is committed to another branch than the specs'.
func (r *Runner) statusTree(ctx context.Context, co *checkout.Checkout) (fs.FS, error) {
	if sb, ok := r.Source.(StatusBranchSource); ok && sb.TargetBranch() != sb.Branch() {
		t, err := sb.StatusTree(ctx)
		switch {
		case err == nil:
			return t, nil
		case !errors.Is(err, source.ErrBranchNotFound):
			return nil, err
		}
	}
	return co.FS, nil
}

// revisionInForce is the spec revision the statuses describe: the failed one when the newest
// revision is invalid, else the last good one.
func (r *Runner) revisionInForce(co *checkout.Checkout) string {
	switch {
	case r.state.failed != nil:
		return r.state.failed.revision
	case r.state.good != nil:
		return r.state.good.checkout.Revision
	}
	return co.Revision
}

// statusPass is what status.Assemble needs of this tick.
func (r *Runner) statusPass(po *passOutcome) status.Pass {
	p := status.Pass{}
	if f := r.state.failed; f != nil {
		p.Revision, p.SpecDigest, p.ValidationErrors = f.revision, f.digest, f.errors
	}
	p.LastObservedAt = r.state.observedAt
	if r.state.good == nil {
		return p
	}
	p.Repo = ownedRepo(r.state.good.repo, r.state.set)
	if p.Revision == "" {
		p.Revision, p.SpecDigest = r.state.good.checkout.Revision, r.state.good.checkout.SpecDigest
	}
	if po == nil {
		return p
	}
	p.Ran, p.Err = true, po.err
	p.Now, p.LastObservedAt = r.clock().Now(), r.state.observedAt
	if final := po.pass.final(); final != nil {
		p.Plan, p.Snapshots = final.Plan, final.Snapshots
		if set := r.state.set; set != nil && writesRepositoryStatus(RepositoryStatusName, set) {
			p.OtherOrphans = r.otherShardOrphans(final.Snapshots)
		}
	}
	if po.pass != nil {
		p.Result = po.pass.applied
		if po.pass.first != nil && po.pass.applied != nil {
			p.ApplyPlan = po.pass.first.Plan
		}
	}
	return p
}

// previousStatuses are the statuses last written or read, by cluster name.
func (r *Runner) previousStatuses() map[string]*status.ClusterStatus {
	out := map[string]*status.ClusterStatus{}
	for _, b := range r.state.statuses {
		if s, err := status.ParseYAML(b); err == nil {
			out[s.Cluster] = s
		}
	}
	return out
}
