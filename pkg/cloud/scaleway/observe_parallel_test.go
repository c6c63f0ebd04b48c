package scaleway

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// Reading several clusters' pools and nodes at once gives the snapshot one-at-a-time reading
// gives: same clusters, same order, same pools and nodes.
func TestObserveInParallelEqualsSerial(t *testing.T) {
	e, serial, _, _ := emulatorFleet(t, 30, WithObserveConcurrency(1))
	parallel, err := New(WithClient(e.Client), WithSecret(emulatortest.SecretKey), WithObserveConcurrency(8))
	if err != nil {
		t.Fatal(err)
	}
	ref := cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID}
	a, err := serial.Observe(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parallel.Observe(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Clusters) != 30 || !reflect.DeepEqual(a.Clusters, b.Clusters) {
		t.Errorf("parallel observe differs from serial: %d vs %d clusters", len(a.Clusters), len(b.Clusters))
	}
	for i, c := range b.Clusters {
		if want := fmt.Sprintf("c%03d", i); c.Name != want || len(c.Pools) != 2 {
			t.Errorf("cluster %d = %s with %d pools, want %s with 2", i, c.Name, len(c.Pools), want)
		}
	}
}

// A failed read of one cluster's children fails the observation (no partial snapshot).
func TestObserveInParallelFailsWhole(t *testing.T) {
	e, p, _, _ := emulatorFleet(t, 12, WithObserveConcurrency(4))
	if err := e.Admin.FailNext(emulator.FailNext{Method: "GET", Pattern: "/k8s/v1/regions/{region}/clusters/{cluster_id}/nodes", Count: 1000, Status: 403}); err != nil {
		t.Fatal(err)
	}
	snap, err := p.Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID})
	if err == nil || snap != nil {
		t.Fatalf("observe = %v, %v; want the 403", snap, err)
	}
}

// BenchmarkObserveConcurrency observes 64 clusters behind 5 ms of API latency per request, one
// cluster at a time (the baseline, measured first in the same run) and then several at once;
// ratio-to-serial is the time of a parallel observation over the serial one.
func BenchmarkObserveConcurrency(b *testing.B) {
	const n = 64
	e, _, _, _ := emulatorFleet(b, n)
	if err := e.Admin.SetFaults(emulator.Faults{Latency: 5 * time.Millisecond}); err != nil {
		b.Fatal(err)
	}
	ref := cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID}
	observe := func(tb testing.TB, conc int) time.Duration {
		p, err := New(WithClient(e.Client), WithSecret(emulatortest.SecretKey), WithObserveConcurrency(conc))
		if err != nil {
			tb.Fatal(err)
		}
		p.warmUp()
		start := time.Now()
		snap, err := p.Observe(b.Context(), ref)
		if err != nil || len(snap.Clusters) != n {
			tb.Fatalf("observe: %v", err)
		}
		return time.Since(start)
	}
	serial := observe(b, 1)
	for _, conc := range []int{1, 4, DefaultObserveConcurrency, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			var total time.Duration
			runs := 0
			for b.Loop() {
				total += observe(b, conc)
				runs++
			}
			b.ReportMetric(float64(total)/float64(runs)/float64(serial), "ratio-to-serial")
		})
	}
}
