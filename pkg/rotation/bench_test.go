package rotation

import (
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// benchPool is 200 ready nodes aged 0 to ~45 days (one every 5h24m): a steady pool with a backlog.
func benchPool() *cloud.Pool {
	return agedPool(200, utc(2026, 10, 20, 12, 0), 5*time.Hour+24*time.Minute)
}

// BenchmarkCalendar200 is the acceptance benchmark: the 30-day calendar of a 200-node pool with a
// daily Europe/Paris window. It reports the ratio to computing the window's openings alone over
// the same horizon (x-openings), measured in the same run.
func BenchmarkCalendar200(b *testing.B) {
	pol := mustPolicy(b, &spec.Rotation{Budget: percent(5),
		Window: &spec.Window{Schedule: "0 2 * * *", Duration: spec.Duration{Duration: 3 * time.Hour}, TimeZone: "Europe/Paris"}})
	p, c, now := benchPool(), readyCluster(), utc(2026, 10, 20, 12, 0)
	if cal := BuildCalendar(pol, c, p, now, DefaultHorizon); cal.Next() == nil {
		b.Fatal("the calendar replaces nothing: the benchmark measures nothing")
	}
	start := time.Now()
	for i := 0; i < b.N; i++ {
		_ = pol.Window.Openings(now, now.Add(DefaultHorizon))
	}
	baseline := time.Since(start)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = BuildCalendar(pol, c, p, now, DefaultHorizon)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed())/float64(baseline), "x-openings")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkCandidates200 is one rotation pass over the same pool, inside its window.
func BenchmarkCandidates200(b *testing.B) {
	pol := mustPolicy(b, &spec.Rotation{Budget: percent(5),
		Window: &spec.Window{Schedule: "0 2 * * *", Duration: spec.Duration{Duration: 3 * time.Hour}, TimeZone: "Europe/Paris"}})
	p, c, now := benchPool(), readyCluster(), utc(2026, 10, 21, 1, 0) // 03:00 CEST
	if d := Candidates(pol, c, p, now); d.Opening == nil {
		b.Fatal("window closed: the benchmark measures the wrong path")
	}
	start := time.Now()
	for i := 0; i < b.N; i++ {
		_, _ = pol.Window.Active(now)
	}
	baseline := time.Since(start)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Candidates(pol, c, p, now)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed())/float64(baseline), "x-active")
}
