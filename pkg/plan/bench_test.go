package plan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// benchFixture builds n cluster specs as YAML documents and a snapshot where a third of the
// clusters are missing, a third are one minor behind and a third match.
func benchFixture(n int) ([][]byte, []*cloud.Snapshot) {
	docs := make([][]byte, n)
	snap := &cloud.Snapshot{Ref: cloud.Ref{Region: "fr-par", ProjectID: "p1"},
		Versions: []cloud.Version{{Name: "1.35.3"}, {Name: "1.34.6"}, {Name: "1.33.10"}}}
	for i := range n {
		name := fmt.Sprintf("cluster-%05d", i)
		docs[i] = []byte(fmt.Sprintf(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata:
  name: %s
spec:
  region: fr-par
  projectID: p1
  type: kapsule
  version: "1.35"
  cni: cilium
  privateNetworkID: pn-1
  tags: [team-a, env-prod]
  autoscaler: {expander: random}
  upgrade:
    window: {schedule: "0 2 * * SAT", duration: 4h, timeZone: Europe/Paris}
  pools:
    - name: default
      nodeType: PRO2-S
      size: 3
      autoscaling: {enabled: true, min: 3, max: 10}
      labels: {tier: web}
      taints: [{key: dedicated, value: web, effect: NoSchedule}]
    - name: batch
      nodeType: GP1-XS
      size: 2
      kubeletArgs: {maxPods: "110"}
`, name))
		if i%3 == 0 {
			continue
		}
		v := "1.35.3"
		if i%3 == 1 {
			v = "1.34.6"
		}
		snap.Clusters = append(snap.Clusters, cloud.Cluster{ID: "id-" + name, Name: name, Region: "fr-par", ProjectID: "p1",
			Type: "kapsule", Status: "ready", Version: v, CNI: "cilium", PrivateNetworkID: "pn-1",
			Tags: []string{"team-a", "env-prod", cloud.ManagedByTag}, Autoscaler: cloud.Autoscaler{Expander: "random"},
			Pools: []cloud.Pool{
				{ID: "p-d-" + name, Name: "default", Status: "ready", Version: v, NodeType: "pro2_s", Zone: "fr-par-1",
					Size: 5, Autoscaling: true, MinSize: 3, MaxSize: 10, Labels: map[string]string{"tier": "web"},
					Taints: []cloud.Taint{{Key: "dedicated", Value: "web", Effect: "NoSchedule"}}},
				{ID: "p-b-" + name, Name: "batch", Status: "ready", Version: v, NodeType: "gp1_xs", Zone: "fr-par-1",
					Size: 2, MinSize: 2, MaxSize: 2, KubeletArgs: map[string]string{"maxPods": "110"}},
			}})
	}
	return docs, []*cloud.Snapshot{snap}
}

// BenchmarkPlan10k measures the pure plan of 10,000 clusters against the YAML decoding of the
// same specs (sigs.k8s.io/yaml.Unmarshal), both in the same run; plan/decode is their ratio.
func BenchmarkPlan10k(b *testing.B) {
	docs, snaps := benchFixture(10000)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	var decode, plan time.Duration
	for b.Loop() {
		t0 := time.Now()
		specs := make([]*spec.Cluster, len(docs))
		for i, d := range docs {
			c := &spec.Cluster{}
			if err := yaml.Unmarshal(d, c); err != nil {
				b.Fatal(err)
			}
			specs[i] = c
		}
		t1 := time.Now()
		p, err := Compute(Input{Now: now, Desired: specs, Snapshots: snaps})
		t2 := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		if p.Summary.Create != 3334 || p.Summary.Deferred != 3333*3 {
			b.Fatalf("unexpected plan summary %+v", p.Summary)
		}
		decode += t1.Sub(t0)
		plan += t2.Sub(t1)
	}
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(plan.Milliseconds())/float64(b.N), "plan-ms/op")
	b.ReportMetric(float64(plan)/float64(decode), "plan/decode")
}

func TestBenchFixtureShape(t *testing.T) {
	docs, snaps := benchFixture(30)
	if len(docs) != 30 || len(snaps[0].Clusters) != 20 || !strings.Contains(string(docs[0]), "cluster-00000") {
		t.Fatalf("fixture: %d docs, %d live", len(docs), len(snaps[0].Clusters))
	}
}
