package plan

import (
	"slices"
	"strings"
	"testing"
)

func init() {
	checks["preflight"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "blocked")
		wantDeferred(t, p, "blocked", map[string]string{
			"blocked/upgrade-cluster/1.36.1": WhyRemovedAPIs, "blocked/upgrade-pool/default/1.36.1": WhyRemovedAPIs})
		if m := cluster(t, p, "blocked").Deferred[0].Message; !strings.Contains(m, "Widget default/w1 (example.com/v1beta1)") {
			t.Errorf("message %q does not name the object", m)
		}
		wantIDs(t, p, "ignored", "ignored/upgrade-cluster/1.36.1", "ignored/upgrade-pool/default/1.36.1")
		// Unreadable: the minor hop waits (fail closed), saying why.
		wantIDs(t, p, "unreachable")
		wantDeferred(t, p, "unreachable", map[string]string{
			"unreachable/upgrade-cluster/1.36.1": WhyRemovedAPIsUnchecked, "unreachable/upgrade-pool/default/1.36.1": WhyRemovedAPIsUnchecked})
		if m := cluster(t, p, "unreachable").Deferred[0].Message; !strings.Contains(m, "connection refused") || !strings.Contains(m, "ignoreRemovedAPIs") {
			t.Errorf("message %q does not say why or how to go on", m)
		}
		txt := Text(p)
		for _, want := range []string{
			"pool default: drain-blocked: pdb default/web allows 0 disruptions",
			"pool default: single-replica: default/db (Deployment) has 1 replica and no PDB",
			"removed in 1.36: example.com/v1beta1 Widget default/w1",
			"drain check skipped: cluster unreachable: dial tcp",
			"pool default: drain clean (2 node(s), 2 pod(s) to evict)",
		} {
			if !strings.Contains(txt, want) {
				t.Errorf("text lacks %q", want)
			}
		}
		if md := Markdown(p); !strings.Contains(md, "**Pre-flight**") || !strings.Contains(md, "`example.com/v1beta1` `Widget default/w1`") {
			t.Errorf("markdown lacks the pre-flight section")
		}
	}
}

// The requests name the pools a plan disrupts (surge from the live pool) and the minors it hops to.
func TestPreflightRequests(t *testing.T) {
	in := loadCase(t, "testdata/plan/preflight")
	in.Preflight = nil
	p, err := Compute(in)
	mustPlan(t, p, err)
	reqs := PreflightRequests(in, p)
	if len(reqs) != 3 {
		t.Fatalf("requests = %+v, want 3", reqs)
	}
	r := reqs[0]
	if r.Key != "fr-par/p1/blocked" || r.ClusterID != "c-blocked" || !slices.Equal(r.Minors, []string{"1.36"}) {
		t.Errorf("request = %+v", r)
	}
	if len(r.Pools) != 1 || r.Pools[0].Pool != "default" || r.Pools[0].Surge != 1 || r.Pools[0].Why != UpgradePool || r.Pools[0].Nodes != nil {
		t.Errorf("pools = %+v", r.Pools)
	}
	// A plan without hops or disruption asks nothing.
	for _, c := range in.Desired {
		c.Spec.Version = "1.35"
	}
	p, err = Compute(in)
	mustPlan(t, p, err)
	if reqs := PreflightRequests(in, p); len(reqs) != 0 {
		t.Errorf("requests without changes = %+v", reqs)
	}
}
