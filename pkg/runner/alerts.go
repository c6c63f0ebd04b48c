package runner

import (
	"fmt"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/notify"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// alertsFor is the dispatcher configured with the revision in force's notify:, created on first
// use (with the loop's clock, log and metrics) unless Alerts was given; nil when there is no sink.
func (r *Runner) alertsFor() *notify.Dispatcher {
	if r.state.good == nil || r.state.good.repo.Settings == nil {
		return r.Alerts
	}
	cfg := notify.ConfigFrom(r.state.good.repo.Settings.Notify)
	if r.Alerts == nil {
		if len(cfg.Sinks) == 0 {
			return nil
		}
		r.Alerts = notify.New(notify.Options{Clock: r.clock(), Log: r.log(), Source: r.owner(), OnResult: r.Metrics.notification})
		r.ownAlerts = true
	}
	r.Alerts.Configure(cfg)
	return r.Alerts
}

// closeAlerts stops the dispatcher the loop created.
func (r *Runner) closeAlerts() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ownAlerts && r.Alerts != nil {
		r.Alerts.Close()
	}
}

// alert sends what a tick says people should know (only the leader alerts): failed passes after
// the configured number in a row, deletions done, forced upgrades, and work deferred past a
// deadline. It never blocks (notify.Dispatcher queues).
func (r *Runner) alert(res *TickResult, err error, h Health) {
	if !r.leading() {
		return
	}
	d := r.alertsFor()
	if d == nil {
		return
	}
	now := r.clock().Now()
	for _, ev := range alertEvents(res, err, h, r.ConsecutiveFailures(), d.Config().Threshold(), now) {
		d.Notify(ev)
	}
	if res != nil && res.statuses != nil {
		if r.state.stuckSince == nil {
			r.state.stuckSince = map[string]time.Time{}
		}
		for _, ev := range stuckEvents(res.statuses, r.state.stuckSince, res.Revision, now, d.Config().StuckAfterOr()) {
			d.Notify(ev)
		}
	}
}

// stuckEvents updates since (cluster -> the first pass in a row whose status defers its work as
// not-ready or locked) from a pass's statuses, and lists the Stuck events due: a cluster waiting
// for longer than after, once per episode (the key names when it began; the dispatcher's rate
// limit repeats it at most once per its period).
func stuckEvents(statuses []*status.ClusterStatus, since map[string]time.Time, rev string, now time.Time, after time.Duration) []notify.Event {
	var out []notify.Event
	seen := map[string]bool{}
	for _, st := range statuses {
		seen[st.Cluster] = true
		var waiting *status.Pending
		for i, p := range st.Deferred {
			if p.Why == plan.WhyNotReady || p.Why == plan.WhyLocked {
				waiting = &st.Deferred[i]
				break
			}
		}
		if waiting == nil {
			delete(since, st.Cluster)
			continue
		}
		start, ok := since[st.Cluster]
		if !ok {
			since[st.Cluster] = now
			continue
		}
		if now.Sub(start) >= after {
			out = append(out, notify.Event{Kind: notify.Stuck, Key: "stuck/" + st.Cluster + "/" + start.UTC().Format(time.RFC3339), Cluster: st.Cluster,
				Revision: rev, Summary: fmt.Sprintf("%s has waited %s on a cluster or pool that is not ready (%s)", st.Cluster, now.Sub(start).Round(time.Minute), waiting.Why),
				Detail: waiting.ID + ": " + waiting.Message, At: now})
		}
	}
	for name := range since {
		if !seen[name] {
			delete(since, name) // no longer in the fleet
		}
	}
	return out
}

// alertEvents lists a tick's alerts (pure): the keys make one sink get the same one at most once
// per rate limit.
func alertEvents(res *TickResult, err error, h Health, failures, threshold int, now time.Time) []notify.Event {
	var out []notify.Event
	rev := ""
	if res != nil {
		rev = res.Revision
	}
	if h.Pass == PassError && failures >= threshold {
		summary := fmt.Sprintf("%d consecutive failed pass(es)", failures)
		switch {
		case err == nil && res != nil && res.PassErr == nil && len(res.Failed) > 0:
			for _, f := range res.Failed {
				name, _, _ := strings.Cut(f, ":")
				out = append(out, notify.Event{Kind: notify.PassFailed, Key: "pass-failed/" + name, Cluster: name, Revision: rev,
					Summary: summary + ": the apply of " + name + " failed", Detail: f, At: now})
			}
		default:
			out = append(out, notify.Event{Kind: notify.PassFailed, Key: "pass-failed", Revision: rev, Summary: summary, Detail: h.Failure, At: now})
		}
	}
	if res == nil {
		return out
	}
	if res.applied != nil {
		for _, c := range res.applied.Clusters {
			for _, a := range c.Actions {
				if a.Outcome != apply.Done || (a.Type != plan.DeleteCluster && a.Type != plan.DeletePool) {
					continue
				}
				what := "cluster " + c.Name
				if a.Type == plan.DeletePool {
					what = "pool " + strings.TrimPrefix(a.Target, "pool/") + " of cluster " + c.Name
				}
				out = append(out, notify.Event{Kind: notify.Deletion, Key: "deletion/" + a.ID, Cluster: c.Name, Revision: rev,
					Summary: "deleted " + what, Detail: a.ID, At: now})
			}
		}
	}
	for _, st := range res.statuses {
		out = append(out, statusAlerts(st, rev, now)...)
	}
	return out
}

// statusAlerts are the alerts one cluster's status calls for: a forced upgrade (spec-behind), a
// rollout wave halted, an upgrade deferred while its version is past end of life, a rotation
// deferred past a node's maxAge.
func statusAlerts(st *status.ClusterStatus, rev string, now time.Time) []notify.Event {
	var out []notify.Event
	for _, w := range st.Warnings {
		if w.Code == "spec-behind" {
			out = append(out, notify.Event{Kind: notify.ForcedUpgrade, Key: "forced-upgrade/" + st.Cluster + "/" + st.Version,
				Cluster: st.Cluster, Revision: rev, Summary: "Scaleway upgraded the cluster past its spec to " + st.Version, Detail: w.Message, At: now})
		}
	}
	if st.Rollout != nil && st.Rollout.Halted != "" {
		out = append(out, notify.Event{Kind: notify.WaveHalted, Key: "wave-halted/" + st.Cluster + "/" + st.Rollout.Halted, Cluster: st.Cluster,
			Revision: rev, Summary: "rollout halted for " + st.Cluster, Detail: st.Rollout.Halted, At: now})
	}
	eol := ""
	for _, c := range st.Conditions {
		if c.Type == status.VersionEndOfLife && c.Status == "True" {
			eol = c.Message
		}
	}
	due := map[string]time.Time{}
	for _, p := range st.Pools {
		for _, n := range p.Nodes {
			if n.RotationDue != nil {
				due[n.Name] = *n.RotationDue
			}
		}
	}
	for _, p := range st.Deferred {
		switch {
		case strings.HasPrefix(p.Type, "upgrade-") && eol != "":
			out = append(out, notify.Event{Kind: notify.DeferredPastDeadline, Key: "deferred-past-deadline/" + p.ID, Cluster: st.Cluster, Revision: rev,
				Summary: fmt.Sprintf("%s deferred (%s) while the version is past end of life", p.ID, p.Why), Detail: eol + "; " + p.Message, At: now})
		case p.Type == string(plan.RotateNode):
			node := p.ID[strings.LastIndex(p.ID, "/")+1:]
			if d, ok := due[node]; ok && now.After(d) {
				out = append(out, notify.Event{Kind: notify.DeferredPastDeadline, Key: "deferred-past-deadline/" + p.ID, Cluster: st.Cluster, Revision: rev,
					Summary: fmt.Sprintf("rotation of %s deferred (%s) past its maxAge (due %s)", node, p.Why, d.UTC().Format(time.RFC3339)), Detail: p.Message, At: now})
			}
		}
	}
	return out
}
