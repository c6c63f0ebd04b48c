package emulator_test

import (
	"fmt"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

func seedMany(b *testing.B, admin emulator.Admin, n int) {
	var seed emulator.SeedRequest
	for i := range n {
		seed.Clusters = append(seed.Clusters, emulator.SeedCluster{Name: fmt.Sprintf("c-%03d", i), Version: "1.35.9",
			Pools: []emulator.SeedPool{{Name: "default", Size: 3}, {Name: "batch", Size: 2}}})
	}
	if _, err := admin.Seed(seed); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkObserve measures the reconciler's observe pattern over real HTTP through the SDK:
// ListClusters(all pages) of 250 clusters, then ListPools + ListNodes for 200 of them. It reports
// the cost relative to one GET /versions round trip measured in the same run (ratio metrics).
func BenchmarkObserve(b *testing.B) {
	env := emulatortest.Start(b, emulator.Options{})
	seedMany(b, env.Admin, 250)
	api := k8s.NewAPI(env.Client)

	timeIt := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	const baseRuns = 50
	base := timeIt(func() {
		for range baseRuns {
			if _, err := api.ListVersions(&k8s.ListVersionsRequest{}); err != nil {
				b.Fatal(err)
			}
		}
	}) / baseRuns

	var list, observe time.Duration
	b.ResetTimer()
	for range b.N {
		var clusters []*k8s.Cluster
		list += timeIt(func() {
			res, err := api.ListClusters(&k8s.ListClustersRequest{}, scw.WithAllPages())
			if err != nil || len(res.Clusters) != 250 {
				b.Fatalf("list: %v", err)
			}
			clusters = res.Clusters
		})
		observe += timeIt(func() {
			for _, c := range clusters[:200] {
				if _, err := api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID}, scw.WithAllPages()); err != nil {
					b.Fatal(err)
				}
				if _, err := api.ListNodes(&k8s.ListNodesRequest{ClusterID: c.ID}, scw.WithAllPages()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64(list/n)/float64(base), "list250/versions-call")
	b.ReportMetric(float64(observe/n)/float64(base), "observe200/versions-call")
	b.ReportMetric(float64((list+observe)/n)/float64(time.Millisecond), "ms/pass")
}
