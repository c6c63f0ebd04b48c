package runner

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the loop's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	ticks          *prometheus.CounterVec
	passes         prometheus.Counter
	tickDuration   prometheus.Histogram
	lastSuccess    prometheus.Gauge
	actionsApplied prometheus.Counter
	statusCommits  prometheus.Counter
	invalid        prometheus.Gauge
}

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reconciler_ticks_total",
			Help: "Loop ticks by result (idle, planned, error)."}, []string{"result"}),
		passes: prometheus.NewCounter(prometheus.CounterOpts{Name: "reconciler_passes_total",
			Help: "Observe-plan-apply passes run."}),
		tickDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "reconciler_tick_duration_seconds",
			Help: "Duration of one tick.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 8)}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "reconciler_last_success_timestamp_seconds",
			Help: "When the last tick succeeded."}),
		actionsApplied: prometheus.NewCounter(prometheus.CounterOpts{Name: "reconciler_actions_applied_total",
			Help: "Plan actions carried out."}),
		statusCommits: prometheus.NewCounter(prometheus.CounterOpts{Name: "reconciler_status_commits_total",
			Help: "Status commits pushed."}),
		invalid: prometheus.NewGauge(prometheus.GaugeOpts{Name: "reconciler_revision_invalid",
			Help: "1 when the newest revision failed validation."}),
	}
	reg.MustRegister(m.ticks, m.passes, m.tickDuration, m.lastSuccess, m.actionsApplied, m.statusCommits, m.invalid)
	return m
}

func (m *Metrics) observeTick(res *TickResult, err error, d time.Duration, now time.Time) {
	if m == nil {
		return
	}
	m.tickDuration.Observe(d.Seconds())
	switch {
	case err != nil:
		m.ticks.WithLabelValues("error").Inc()
		return
	case res.Planned:
		m.ticks.WithLabelValues("planned").Inc()
		m.passes.Inc()
	default:
		m.ticks.WithLabelValues("idle").Inc()
	}
	m.lastSuccess.Set(float64(now.Unix()))
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
