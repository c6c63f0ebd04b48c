package plan

import (
	"strings"
	"testing"
)

// The behaviour checks of the node-type, quota and commitment golden cases.
func init() {
	checks["nodetype-unknown"] = func(t *testing.T, p *Plan, err error) {
		// Every bad pool is reported, each with the closest names the zone offers and where the
		// cluster's document is; the live pool whose type is no longer listed is not (nothing
		// creates it).
		wantErr(t, p, err,
			`cluster new-par (fr-par): desired.yaml:1: pool default: node type "PRO2-SS" is not offered in fr-par-1; closest: PRO2-S, PRO2-XS (see scw instance server-type list zone=fr-par-1)`,
			`pool legacy: node type "DEV1-S" has reached end of service in fr-par-1; closest: DEV1-M`,
			`pool tiny: node type "PLAY2-PICO" has 2 GiB of memory, too little for a Kubernetes node (at least 4 GiB)`,
			`cluster web (fr-par): desired.yaml:17: pool default: node type "pro2_mm" is not offered in fr-par-1; closest: PRO2-M`)
		if strings.Contains(err.Error(), "pool old") {
			t.Errorf("the unchanged live pool old (gp1_xs) is reported: %v", err)
		}
	}
	checks["nodetype-stock"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "web", "web/create-pool/batch", "web/create-pool/edge")
		wantDeferred(t, p, "web", map[string]string{"web/create-pool/gpu": WhyOutOfStock})
		wantWarnings(t, p, "web", "node-type-scarce", "node-types-unchecked")
		if d := cluster(t, p, "web").Deferred[0]; !strings.Contains(d.Message, "PRO2-L is out of stock in fr-par-1") {
			t.Errorf("deferral message %q", d.Message)
		}
	}
	checks["quota-exceeded"] = func(t *testing.T, p *Plan, err error) {
		// web: +2 (new pool extra) then at most +4 at once (replacement of big beside it; the
		// upgrade surge of default is 2); api: +1. The quota leaves 12-9 = 3.
		wantErr(t, p, err, "zone fr-par-1: this plan needs up to 7 more Instances at its peak but the quota leaves 3 (limit 12, 9 in use)",
			"web: +2 new pool extra, +4 while big-", "api: +1 new pool default")
	}
	checks["quota-within"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		if p.Summary.Replace != 1 || p.Summary.Create != 2 || p.Summary.Upgrade != 2 {
			t.Errorf("summary = %+v, want the replacement, two creations and the two upgrades", p.Summary)
		}
	}
	checks["commitment-downgrade"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "locked-in")
		wantDeferred(t, p, "locked-in", map[string]string{"locked-in/set-cluster-type/kapsule-dedicated-4": WhyCommitment})
		if d := cluster(t, p, "locked-in").Deferred[0]; !strings.Contains(d.Message, "until 2026-12-10T09:00:00Z") {
			t.Errorf("deferral message %q lacks the commitment's end", d.Message)
		}
		wantIDs(t, p, "free", "free/set-cluster-type/kapsule")
		wantWarnings(t, p, "free")
	}
}
