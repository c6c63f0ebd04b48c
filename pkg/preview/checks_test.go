package preview_test

import (
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
)

func TestPreflightAndRolloutAboveThePlan(t *testing.T) {
	p := planOf("shop/update-cluster/x", "calm/update-cluster/y")
	p.Clusters[0].Preflight = &plan.Preflight{Pools: []plan.PoolDrain{{Pool: "apps", Nodes: 2, Pods: 2, Findings: []plan.Finding{
		{Code: plan.FindingDrainBlocked, Message: "pdb default/web allows 0 disruptions (covers default/web-0)"}}}},
		CheckedMinors: []string{"1.36"}, RemovedAPIs: []plan.RemovedAPI{{Minor: "1.36", APIVersion: "example.com/v1beta1", Kind: "Widget", Namespace: "default", Name: "gizmo"}}}
	p.Clusters[1].Preflight = &plan.Preflight{Pools: []plan.PoolDrain{{Pool: "roomy", Nodes: 2, Pods: 3, Findings: []plan.Finding{}}}, CheckedMinors: []string{"1.36"}}
	p.Rollout = &plan.RolloutPlan{Soak: "24h", Waves: []plan.WavePlan{{Wave: 0, Clusters: []string{"shop"}, State: plan.WaveNow}}}
	pv := &preview.Preview{Plan: p}
	md := preview.Markdown(pv, plan.MarkdownLimit)
	head, _, ok := strings.Cut(md, "### Reconciler plan")
	if !ok {
		t.Fatalf("no plan in the preview:\n%s", md)
	}
	for _, want := range []string{
		"### Pre-flight and rollout",
		"- rollout: wave 0 now (shop)",
		"- `shop`: pool `apps`: drain-blocked: pdb default/web allows 0 disruptions",
		"- `shop`: removed in 1.36: `example.com/v1beta1` `Widget default/gizmo`",
	} {
		if !strings.Contains(head, want) {
			t.Errorf("the preview's head lacks %q:\n%s", want, head)
		}
	}
	if strings.Contains(head, "calm") {
		t.Errorf("a clean cluster is listed above the plan:\n%s", head)
	}
	if txt := preview.Text(pv); !strings.Contains(txt, "Pre-flight and rollout:\n  rollout: wave 0 now (shop)\n  shop: pool apps: drain-blocked") {
		t.Errorf("text:\n%s", txt)
	}
	// Nothing to say: no section.
	if md := preview.Markdown(&preview.Preview{Plan: planOf("a/update-cluster/x")}, plan.MarkdownLimit); strings.Contains(md, "Pre-flight") {
		t.Errorf("empty pre-flight section:\n%s", md)
	}
}
