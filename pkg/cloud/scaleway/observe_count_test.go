package scaleway

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// fleetPageSize is the page size the fleet server uses (the real default is undocumented).
const fleetPageSize = 100

// newFleetServer serves n clusters with two pools of three nodes each, paging lists.
func newFleetServer(t testing.TB, n int) *cannedServer {
	now := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	var clusters []*k8s.Cluster
	pools := map[string][]*k8s.Pool{}
	nodes := map[string][]*k8s.Node{}
	for i := range n {
		cid := fmt.Sprintf("c%04d", i)
		clusters = append(clusters, &k8s.Cluster{ID: cid, Name: "cluster-" + cid, Region: "fr-par", ProjectID: testProject,
			Type: "kapsule", Status: "ready", Version: "1.35.3", CreatedAt: &now, UpdatedAt: &now,
			AutoscalerConfig: &k8s.ClusterAutoscalerConfig{}, AutoUpgrade: &k8s.ClusterAutoUpgrade{}, OpenIDConnectConfig: &k8s.ClusterOpenIDConnectConfig{}})
		for j := range 2 {
			pid := fmt.Sprintf("%s-p%d", cid, j)
			pools[cid] = append(pools[cid], &k8s.Pool{ID: pid, ClusterID: cid, Name: fmt.Sprintf("pool-%d", j), Status: "ready",
				Version: "1.35.3", NodeType: "pro2_xxs", Size: 3, CreatedAt: &now})
			for k := range 3 {
				nodes[cid] = append(nodes[cid], &k8s.Node{ID: fmt.Sprintf("%s-n%d", pid, k), PoolID: pid, ClusterID: cid,
					Status: "ready", CreatedAt: &now})
			}
		}
	}
	page := func(r *http.Request, total int) (int, int) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		p = max(p, 1)
		lo := min((p-1)*fleetPageSize, total)
		return lo, min(lo+fleetPageSize, total)
	}
	s := newCannedServer(t, map[string]reply{"GET " + base + "/versions": {body: versionsJSON}})
	s.dyn = func(r *http.Request) (reply, bool) {
		rest, ok := strings.CutPrefix(r.URL.Path, base+"/clusters")
		if !ok {
			return reply{}, false
		}
		switch {
		case rest == "":
			lo, hi := page(r, len(clusters))
			return reply{body: mustJSON(k8s.ListClustersResponse{TotalCount: uint64(len(clusters)), Clusters: clusters[lo:hi]})}, true
		case strings.HasSuffix(rest, "/pools"):
			ps := pools[strings.Trim(strings.TrimSuffix(rest, "/pools"), "/")]
			lo, hi := page(r, len(ps))
			return reply{body: mustJSON(k8s.ListPoolsResponse{TotalCount: uint64(len(ps)), Pools: ps[lo:hi]})}, true
		case strings.HasSuffix(rest, "/nodes"):
			ns := nodes[strings.Trim(strings.TrimSuffix(rest, "/nodes"), "/")]
			lo, hi := page(r, len(ns))
			return reply{body: mustJSON(k8s.ListNodesResponse{TotalCount: uint64(len(ns)), Nodes: ns[lo:hi]})}, true
		}
		return reply{}, false
	}
	return s
}

// counts sorts the recorded requests by kind.
type counts struct{ clusterLists, pools, nodes, versions, metadata, other int }

func countRequests(reqs []request) counts {
	var c counts
	for _, r := range reqs {
		switch {
		case r.Path == "/metadata":
			c.metadata++
		case r.Path == base+"/clusters":
			c.clusterLists++
		case strings.HasSuffix(r.Path, "/pools"):
			c.pools++
		case strings.HasSuffix(r.Path, "/nodes"):
			c.nodes++
		case r.Path == base+"/versions":
			c.versions++
		default:
			c.other++
		}
	}
	return c
}

func TestObserveRequestCount(t *testing.T) {
	for _, n := range []int{1, 10, 200} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			s := newFleetServer(t, n)
			snap, err := s.provider(t).Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: testProject})
			if err != nil {
				t.Fatalf("Observe: %v", err)
			}
			if len(snap.Clusters) != n || len(snap.Clusters[n-1].Pools) != 2 || len(snap.Clusters[n-1].Pools[1].Nodes) != 3 {
				t.Fatalf("snapshot has %d clusters; last: %+v", len(snap.Clusters), snap.Clusters[n-1].Pools)
			}
			got := countRequests(s.requests(true))
			want := counts{clusterLists: (n + fleetPageSize - 1) / fleetPageSize, pools: n, nodes: n, versions: 1, metadata: 1}
			if got != want {
				t.Errorf("requests = %+v, want %+v (one cluster list of all pages, 2 per cluster, 1 versions, 1 metadata)", got, want)
			}
		})
	}
}

// BenchmarkObserve reports API requests per Observe (k8s requests and the SDK's /metadata apart)
// and the ratio to the target 1 + 2·clusters + 1. The faults=10% variants answer a seeded 10% of
// the k8s GETs with 429 (the read retry sleeps on an instant fake clock): ratio-to-target - 1 is
// then the retry overhead, about the fault rate when each fault costs exactly one more request.
func BenchmarkObserve(b *testing.B) {
	for _, rate := range []float64{0, 0.10} {
		for _, n := range []int{1, 10, 200} {
			name := fmt.Sprintf("clusters=%d", n)
			if rate > 0 {
				name += fmt.Sprintf(",faults=%.0f%%", rate*100)
			}
			b.Run(name, func(b *testing.B) { benchObserve(b, n, rate) })
		}
	}
}

func benchObserve(b *testing.B, n int, rate float64) {
	s := newFleetServer(b, n)
	p := s.provider(b)
	ref := cloud.Ref{Region: "fr-par", ProjectID: testProject}
	if _, err := p.Observe(b.Context(), ref); err != nil { // warm: /metadata is cached per client
		b.Fatal(err)
	}
	var faults int
	if rate > 0 {
		rng := rand.New(rand.NewPCG(7, 7))
		s.intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodGet || r.URL.Path == "/metadata" || rng.Float64() >= rate {
				return false
			}
			faults++
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"too many requests","type":"too_many_requests"}`)
			return true
		}
	}
	s.reset()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Observe(b.Context(), ref); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	c := countRequests(s.requests(true))
	ops := float64(b.N)
	k8sReqs := float64(c.clusterLists+c.pools+c.nodes+c.versions+c.other) / ops
	target := float64(1 + 2*n + 1)
	b.ReportMetric(k8sReqs, "requests/observe")
	b.ReportMetric(float64(c.clusterLists)/ops, "cluster-list-pages/observe")
	b.ReportMetric(float64(c.metadata)/ops, "metadata/observe")
	b.ReportMetric(float64(faults)/ops, "faults/observe")
	b.ReportMetric(k8sReqs/target, "ratio-to-target")
}
