package runner

import (
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scaleway-gitops/reconciler/pkg/notify"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
)

// Metrics are the loop's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	ticks          *prometheus.CounterVec
	passes         *prometheus.CounterVec
	tickDuration   prometheus.Histogram
	lastSuccess    prometheus.Gauge
	failures       prometheus.Gauge
	leader         prometheus.Gauge
	actionsApplied prometheus.Counter
	statusCommits  prometheus.Counter
	invalid        prometheus.Gauge
	drift          *prometheus.GaugeVec
	versionBehind  *prometheus.GaugeVec
	clusterErrors  *prometheus.GaugeVec
	shardsHeld     prometheus.Gauge
	shardHeld      *prometheus.GaugeVec
	notifications  *prometheus.CounterVec
}

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	}
	perCluster := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"cluster"})
	}
	m := &Metrics{
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reconciler_ticks_total",
			Help: "Loop ticks by result (idle, planned, error)."}, []string{"result"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reconciler_passes_total",
			Help: "Observe-plan-apply passes by result: ok, error (the tick, observe/plan or a cluster's apply failed), deferred (ok, actions left deferred)."},
			[]string{"result"}),
		tickDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "reconciler_tick_duration_seconds",
			Help: "Duration of one tick.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 8)}),
		lastSuccess: gauge("reconciler_last_success_timestamp_seconds",
			"When the loop last succeeded: a pass, or an idle tick with no failure since the last pass."),
		failures: gauge("reconciler_consecutive_failures", "Failed ticks since the last successful pass."),
		leader:   gauge("reconciler_leader", "1 when this process may apply (leading, or no leader election), 0 as a follower."),
		actionsApplied: prometheus.NewCounter(prometheus.CounterOpts{Name: "reconciler_actions_applied_total",
			Help: "Plan actions carried out."}),
		statusCommits: prometheus.NewCounter(prometheus.CounterOpts{Name: "reconciler_status_commits_total",
			Help: "Status commits pushed."}),
		invalid:       gauge("reconciler_revision_invalid", "1 when the newest revision failed validation."),
		drift:         perCluster("reconciler_cluster_drift", "Live fields that differ from the spec, after the last pass."),
		versionBehind: perCluster("reconciler_cluster_version_behind", "1 when an upgrade is planned or deferred, or a newer version is available."),
		clusterErrors: perCluster("reconciler_cluster_errors", "1 when the cluster's apply in the last pass failed or was stale."),
		shardsHeld:    gauge("reconciler_shards_held", "Shards this process holds (run --shards); 0 without sharding."),
		shardHeld: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "reconciler_shard_held",
			Help: "1 for each shard this process holds at its last tick, 0 for the others (run --shards)."}, []string{"shard"}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reconciler_notifications_total",
			Help: "Alerts by sink and result: sent, failed, dropped (queue full), rate_limited."}, []string{"sink", "result"}),
	}
	for _, p := range PassResults {
		m.passes.WithLabelValues(string(p))
	}
	m.leader.Set(1)
	reg.MustRegister(m.ticks, m.passes, m.tickDuration, m.lastSuccess, m.failures, m.leader, m.actionsApplied,
		m.statusCommits, m.invalid, m.drift, m.versionBehind, m.clusterErrors, m.shardsHeld, m.shardHeld, m.notifications)
	return m
}

// notification counts one alert's result for one sink (notify.Options.OnResult).
func (m *Metrics) notification(sink string, r notify.Result) {
	if m != nil {
		m.notifications.WithLabelValues(sink, string(r)).Inc()
	}
}

// tickHealth is a tick's Health with the loop's state after it.
type tickHealth struct {
	Health
	healthy  bool // synced, and no failure since the last successful pass
	failures int  // consecutive failures
	leading  bool
	shards   *shard.Set // nil without sharding
}

func (m *Metrics) observeTick(res *TickResult, err error, h tickHealth, d time.Duration, now time.Time) {
	if m == nil {
		return
	}
	m.tickDuration.Observe(d.Seconds())
	m.failures.Set(float64(h.failures))
	m.leader.Set(b2f(h.leading))
	if s := h.shards; s != nil {
		m.shardsHeld.Set(float64(len(s.Held)))
		for k := range s.Count {
			m.shardHeld.WithLabelValues(strconv.Itoa(k)).Set(b2f(slices.Contains(s.Held, k)))
		}
	}
	if h.Pass != "" {
		m.passes.WithLabelValues(string(h.Pass)).Inc()
	}
	if h.healthy {
		m.lastSuccess.Set(float64(now.Unix()))
	}
	if h.Clusters != nil {
		m.drift.Reset()
		m.versionBehind.Reset()
		m.clusterErrors.Reset()
		for _, c := range h.Clusters {
			m.drift.WithLabelValues(c.Name).Set(float64(c.Drift))
			m.versionBehind.WithLabelValues(c.Name).Set(b2f(c.VersionBehind))
			m.clusterErrors.WithLabelValues(c.Name).Set(b2f(c.Failed))
		}
	}
	switch {
	case err != nil:
		m.ticks.WithLabelValues("error").Inc()
		return
	case res.Planned:
		m.ticks.WithLabelValues("planned").Inc()
	default:
		m.ticks.WithLabelValues("idle").Inc()
	}
	m.actionsApplied.Add(float64(res.Applied))
	if res.StatusCommit != "" {
		m.statusCommits.Inc()
	}
	if res.Invalid {
		m.invalid.Set(1)
	} else if res.Planned {
		m.invalid.Set(0)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
