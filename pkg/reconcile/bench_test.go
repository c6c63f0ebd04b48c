package reconcile

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
	"github.com/scaleway-gitops/reconciler/pkg/shard"
)

// BenchmarkRequestsPerPlan counts the Scaleway API requests one plan costs against the emulator
// (over HTTP, through the SDK adapter), for fleets of 1, 10 and 200 clusters of 2 pools each,
// in sync, and for 200 of which 20 are behind their spec's patch (an upgrade to plan).
// Target: one cluster list per region (plus its pages), two requests per cluster (pools, nodes),
// one version list, and one available-versions request per cluster the plan upgrades (none
// for a cluster in sync). ratio-to-target 1.0 means exactly that.
func BenchmarkRequestsPerPlan(b *testing.B) {
	for _, tc := range []struct{ n, behind int }{{1, 0}, {10, 0}, {200, 0}, {200, 20}} {
		n, behind := tc.n, tc.behind
		name := fmt.Sprintf("clusters=%d", n)
		if behind > 0 {
			name += fmt.Sprintf("/behind=%d", behind)
		}
		b.Run(name, func(b *testing.B) {
			e := emulatortest.Start(b, emulator.Options{Dwell: emulator.TestDwell})
			files := fstest.MapFS{}
			var seed emulator.SeedRequest
			for i := 0; i < n; i++ {
				name := fmt.Sprintf("c%03d", i)
				seed.Clusters = append(seed.Clusters, emulator.SeedCluster{Name: name, Version: "1.35.3",
					ProjectID: emulatortest.ProjectID, Tags: []string{cloud.ManagedByTag, cloud.ProtectionTag(true)},
					PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
					Pools:            []emulator.SeedPool{{Name: "a", NodeType: "PRO2-S", Size: 2}, {Name: "b", NodeType: "PRO2-S", Size: 1}}})
				want := `"1.35.3"`
				if i < behind {
					want = `"1.35"` // the minor's latest patch: one upgrade hop
				}
				files["clusters/"+name+".yaml"] = &fstest.MapFile{Data: []byte(strings.NewReplacer("NAME", name, "PROJECT", emulatortest.ProjectID, "VERSION", want).Replace(benchSpec))}
			}
			if _, err := e.Admin.Seed(seed); err != nil {
				b.Fatal(err)
			}
			p, err := scaleway.New(scaleway.WithClient(e.Client))
			if err != nil {
				b.Fatal(err)
			}
			co, repo := revision(b, files)
			rec := &Reconciler{Provider: p}
			if _, err := rec.Plan(b.Context(), co, repo); err != nil { // warm-up: /metadata is cached per client
				b.Fatal(err)
			}
			if err := e.Admin.ResetRequests(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				pass, err := rec.Plan(b.Context(), co, repo)
				if err != nil {
					b.Fatal(err)
				}
				if pass.Plan.Summary.Upgrade != 3*behind || pass.Plan.Summary.Create+pass.Plan.Summary.Update+pass.Plan.Summary.Delete+pass.Plan.Summary.Replace != 0 {
					b.Fatalf("seeded fleet should need %d upgrades (cluster and 2 pools of each cluster behind) and nothing else, plan has %+v", 3*behind, pass.Plan.Summary)
				}
			}
			log, err := e.Admin.Requests()
			if err != nil {
				b.Fatal(err)
			}
			perPlan := float64(log.Total) / float64(b.N)
			pages := (n + 19) / 20 // the emulator's default page size is 20, as the API's
			b.ReportMetric(perPlan, "requests/plan")
			b.ReportMetric(perPlan/float64(pages+2*n+1+behind), "ratio-to-target")
		})
	}
}

const benchSpec = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: NAME}
spec:
  region: fr-par
  projectID: PROJECT
  version: VERSION
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - {name: a, nodeType: PRO2-S, zone: fr-par-1, size: 2}
    - {name: b, nodeType: PRO2-S, zone: fr-par-1, size: 1}
`

// BenchmarkRequestsPerShardPass counts the Scaleway API requests of one replica's plan when a
// fleet of 200 clusters is split in N shards (Keep: shard 0's clusters, as run --shards does),
// against the unsharded plan measured first in the same run. The cluster list and the version
// list are read whole; pools and nodes only for the shard's clusters, so ratio-to-unsharded
// should be close to 1/N.
func BenchmarkRequestsPerShardPass(b *testing.B) {
	const n = 200
	e := emulatortest.Start(b, emulator.Options{Dwell: emulator.TestDwell})
	var seed emulator.SeedRequest
	var names []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("c%03d", i)
		names = append(names, name)
		seed.Clusters = append(seed.Clusters, emulator.SeedCluster{Name: name, Version: "1.35.3",
			ProjectID: emulatortest.ProjectID, Tags: []string{cloud.ManagedByTag, cloud.ProtectionTag(true)},
			PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
			Pools:            []emulator.SeedPool{{Name: "a", NodeType: "PRO2-S", Size: 2}, {Name: "b", NodeType: "PRO2-S", Size: 1}}})
	}
	if _, err := e.Admin.Seed(seed); err != nil {
		b.Fatal(err)
	}
	p, err := scaleway.New(scaleway.WithClient(e.Client))
	if err != nil {
		b.Fatal(err)
	}
	// requests is the request count of one plan of the clusters keep accepts (nil: all).
	requests := func(keep func(region, name string) bool) (int, int) {
		files := fstest.MapFS{}
		planned := 0
		for _, name := range names {
			if keep != nil && !keep("fr-par", name) {
				continue
			}
			planned++
			files["clusters/"+name+".yaml"] = &fstest.MapFile{Data: []byte(strings.NewReplacer("NAME", name, "PROJECT", emulatortest.ProjectID, "VERSION", `"1.35.3"`).Replace(benchSpec))}
		}
		co, repo := revision(b, files)
		rec := &Reconciler{Provider: p, Keep: keep}
		if _, err := rec.Plan(b.Context(), co, repo); err != nil { // warm-up
			b.Fatal(err)
		}
		if err := e.Admin.ResetRequests(); err != nil {
			b.Fatal(err)
		}
		pass, err := rec.Plan(b.Context(), co, repo)
		if err != nil {
			b.Fatal(err)
		}
		if len(pass.Plan.Clusters) != planned {
			b.Fatalf("planned %d clusters, want %d", len(pass.Plan.Clusters), planned)
		}
		log, err := e.Admin.Requests()
		if err != nil {
			b.Fatal(err)
		}
		return log.Total, planned
	}
	baseline, _ := requests(nil)
	for _, shards := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			keep := func(region, name string) bool { return shard.Of(shard.Key(region, name), shards) == 0 }
			var total, planned int
			for b.Loop() {
				total, planned = requests(keep)
			}
			b.ReportMetric(float64(total), "requests/plan")
			b.ReportMetric(float64(planned), "clusters/plan")
			b.ReportMetric(float64(total)/float64(baseline), "ratio-to-unsharded")
		})
	}
}
