package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// The rollout's clock lives in the status files: each pass writes, for every cluster of a
// fleet that uses more than one wave, since when it has been healthy (status.NextRollout), and
// the next pass plans with those times (plan.Input.Health). A restarted loop reads them back from
// the repository, so a soak in progress keeps its start.

// With sharding (run --shards) a wave still waits for the lower waves of the whole fleet: the
// clusters of the other shards enter the plan's fleet view (plan.Input.Elsewhere), never the
// plan, with the facts their own replica recorded in their status files (status.FactsFrom), read
// afresh from the fetched tree at every tick. Each replica refreshes the check time of its
// lower-wave clusters' facts at most every half drift interval (status.Heartbeat); facts checked
// longer than WaveFactsMaxAge ago, or written for other specs, hold the higher waves. New facts
// (or facts turning stale or fresh) make a pass at the next tick (why "fleet-changed").

// otherShardsFacts reads the rollout facts of the clusters of the shards this process does not
// hold; nil without sharding or when the revision in force (and the fetched one) use one wave.
// A read that fails gives no facts, which holds the higher waves.
func (r *Runner) otherShardsFacts(ctx context.Context, co *checkout.Checkout, set *shard.Set) map[string]plan.RecordedFacts {
	if set == nil || set.Count < 2 || len(set.Held) == set.Count ||
		(r.state.good != nil && co.SpecDigest == r.state.lastDigest && !multiWave(r.state.good.repo)) {
		return nil
	}
	out := map[string]plan.RecordedFacts{}
	tree, err := r.statusTree(ctx, co)
	if err != nil {
		r.log().Warn("rollout facts of the other shards not read: their lower waves hold the higher ones", "err", err)
		return out
	}
	files, _ := status.ReadFiles(tree) // skipped files are logged with the previous statuses
	for key, f := range status.FactsFrom(files) {
		if region, _, name, ok := plan.SplitKey(key); ok && !set.Owns(shard.Key(region, name)) {
			out[key] = f
		}
	}
	return out
}

// multiWave reports whether the specs use more than one rollout wave.
func multiWave(repo *spec.Repo) bool {
	for _, c := range repo.Clusters {
		if spec.WaveOf(c) != spec.WaveOf(repo.Clusters[0]) {
			return true
		}
	}
	return false
}

// elsewhere is the pass's view of the other shards' clusters: their specs and recorded facts.
func (r *Runner) elsewhere(facts map[string]plan.RecordedFacts, set *shard.Set) *plan.Elsewhere {
	if facts == nil || set == nil || r.state.good == nil {
		return nil
	}
	el := &plan.Elsewhere{Facts: facts, SpecDigest: r.state.good.checkout.SpecDigest, MaxAge: r.waveFactsMaxAge()}
	if f := r.state.failed; f != nil {
		el.SpecDigest = f.digest // the statuses of every shard describe the newest revision
	}
	for _, c := range r.state.good.repo.Clusters {
		if !set.Owns(shard.Key(c.Spec.Region, c.Metadata.Name)) {
			el.Clusters = append(el.Clusters, c)
		}
	}
	if len(el.Clusters) == 0 {
		return nil
	}
	return el
}

// fleetFingerprint identifies the other shards' facts as a plan sees them at now: what they
// record and whether they are still fresh, not when they were last checked. Only the clusters
// of a lower wave than one of this replica's count: the others gate none of its clusters.
func (r *Runner) fleetFingerprint(facts map[string]plan.RecordedFacts, now time.Time) string {
	if facts == nil {
		return ""
	}
	waves, top := map[string]int{}, -1
	if r.state.good != nil && r.state.set != nil {
		for _, c := range r.state.good.repo.Clusters {
			w := spec.WaveOf(c)
			waves[plan.Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name)] = w
			if r.state.set.Owns(shard.Key(c.Spec.Region, c.Metadata.Name)) {
				top = max(top, w)
			}
		}
	}
	h := sha256.New()
	maxAge := r.waveFactsMaxAge()
	for _, key := range slices.Sorted(maps.Keys(facts)) {
		if w, ok := waves[key]; ok && w >= top {
			continue
		}
		f := facts[key]
		fresh := !f.CheckedAt.IsZero() && now.Sub(f.CheckedAt) <= maxAge
		f.CheckedAt = time.Time{}
		b, _ := json.Marshal(f) // plain data: never fails
		fmt.Fprintf(h, "%s %t %s\n", key, fresh, b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// waveFactsMaxAge is WaveFactsMaxAge, default 2 × (drift interval + interval): a replica's idle
// passes run every drift interval and refresh the check time every other half of it, and a
// reader fetches every interval.
func (r *Runner) waveFactsMaxAge() time.Duration {
	if r.WaveFactsMaxAge > 0 {
		return r.WaveFactsMaxAge
	}
	return 2 * (r.driftInterval() + r.interval())
}

// heartbeat is how often a cluster's rollout facts get a new check time while unchanged: half
// the drift interval with sharding, for the clusters below the highest wave (the others gate
// nobody); 0, none, otherwise.
func (r *Runner) heartbeat(wave int) time.Duration {
	set := r.state.set
	if set == nil || set.Count < 2 || r.state.good == nil {
		return 0
	}
	for _, c := range r.state.good.repo.Clusters {
		if spec.WaveOf(c) > wave {
			return r.driftInterval() / 2
		}
	}
	return 0
}

// recordedHealth is what the statuses known record of each cluster's health, for the plan.
func (r *Runner) recordedHealth() map[string]plan.Health { return status.HealthFrom(r.state.statuses) }

// recordRollout fills the rollout record of each status from the pass's final plan and
// observation, keeping the previous health clocks; it announces a cluster whose hops a lower
// wave newly halts (event "halted", the notification hook).
func (r *Runner) recordRollout(statuses []*status.ClusterStatus, po *passOutcome) {
	if po == nil || po.pass.final() == nil || po.pass.final().Plan == nil || po.pass.final().Plan.Rollout == nil {
		return
	}
	final := po.pass.final()
	plans := map[string]*plan.ClusterPlan{}
	for i := range final.Plan.Clusters {
		c := &final.Plan.Clusters[i]
		plans[plan.Key(c.Region, c.ProjectID, c.Name)] = c
	}
	lives := map[string]*cloud.Cluster{}
	for _, s := range final.Snapshots {
		if s == nil {
			continue
		}
		for i := range s.Clusters {
			if c := &s.Clusters[i]; c.Status != "deleted" {
				lives[plan.Key(s.Ref.Region, s.Ref.ProjectID, c.Name)] = c
			}
		}
	}
	prev := r.previousStatuses()
	now := r.clock().Now()
	checked := final.Plan.Now // when the final pass observed
	if checked.IsZero() {
		checked = now
	}
	for _, st := range statuses {
		key := plan.Key(st.Region, st.ProjectID, st.Cluster)
		cp, ok := plans[key]
		if !ok || cp.Rollout == nil {
			continue
		}
		var before *status.RolloutStatus
		if p := prev[st.Cluster]; p != nil {
			before = p.Rollout
		}
		st.Rollout = status.NextRollout(before, cp, lives[key], st.LastError, now)
		status.Heartbeat(st.Rollout, before, checked, r.heartbeat(cp.Rollout.Wave))
		if st.Rollout.Halted != "" && (before == nil || before.Halted != st.Rollout.Halted) {
			r.notify("halted", "rollout halted for %s: %s", st.Cluster, st.Rollout.Halted)
		}
	}
}
