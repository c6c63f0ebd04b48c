package rotation

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func TestWriteDryRun(t *testing.T) {
	web := planPool()
	web.Nodes = append(web.Nodes, node("due", inside.Add(-31*day), "ready"))
	gpu := &cloud.Pool{ID: "p-2", Name: "gpu", Status: "ready", Nodes: []cloud.Node{node("g1", inside.Add(-50*day), "ready")}}
	edge := &cloud.Cluster{ID: "c-2", Name: "edge", Status: "ready"}
	batch := &cloud.Pool{ID: "p-3", Name: "batch", Status: "scaling", Nodes: []cloud.Node{node("b1", inside.Add(-33*day), "ready")}}
	paris := &spec.Window{Schedule: "0 2 * * SUN", Duration: spec.Duration{Duration: 3 * time.Hour}, TimeZone: "Europe/Paris"}
	decisions := []Decision{
		// Given out of order: the renderer sorts by cluster, then pool.
		Candidates(ResolvePolicy(&spec.Rotation{Window: &spec.Window{Schedule: "0 3 * *"}}), readyCluster(), gpu, inside),
		Candidates(ResolvePolicy(&spec.Rotation{Window: daily(), Budget: count(3)}), readyCluster(), web, inside),
		Candidates(ResolvePolicy(&spec.Rotation{Window: paris}), edge, batch, inside),
	}
	var b strings.Builder
	if err := WriteDryRun(&b, decisions); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	golden(t, "dryrun.golden", got)
	// The order is the renderer's, not the caller's.
	if i, j := strings.Index(got, "cluster edge"), strings.Index(got, "cluster prod-par, pool default"); i < 0 || j < 0 || i > j {
		t.Errorf("pools not sorted by cluster then pool:\n%s", got)
	}
	var again strings.Builder
	if err := WriteDryRun(&again, []Decision{decisions[2], decisions[1], decisions[0]}); err != nil || again.String() != got {
		t.Errorf("output depends on the input order")
	}
}
