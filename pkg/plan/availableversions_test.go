package plan

import (
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// The golden cases of the upgrade targets the API offers a cluster (cloud.Cluster.AvailableVersions).
func init() {
	checks["available-versions-excludes-minor"] = func(t *testing.T, p *Plan, err error) {
		wantErr(t, p, err, "cluster prod-par (fr-par)", "1.36 is not offered as an upgrade from 1.35.1: the API offers 1.35.3")
	}
	checks["available-versions-exact-not-offered"] = func(t *testing.T, p *Plan, err error) {
		wantErr(t, p, err, "1.36.0 is not offered as an upgrade from 1.35.1: the API offers 1.35.3, 1.36.1")
	}
	checks["available-versions-next-hop"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		// The first hop is the latest 1.35 patch the API offers (1.35.2), not the region list's
		// 1.35.3; the next hop, which the API cannot tell yet, comes from the region list.
		wantIDs(t, p, "prod-par",
			"prod-par/upgrade-cluster/1.35.2", "prod-par/upgrade-pool/batch/1.35.2", "prod-par/upgrade-pool/default/1.35.2",
			"prod-par/upgrade-cluster/1.36.1", "prod-par/upgrade-pool/batch/1.36.1", "prod-par/upgrade-pool/default/1.36.1")
	}
	checks["available-versions-unknown"] = func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/upgrade-cluster/1.36.1", "prod-par/upgrade-pool/batch/1.36.1", "prod-par/upgrade-pool/default/1.36.1")
		wantWarnings(t, p, "prod-par", "available-versions-unknown")
	}
}

func TestNeedsTargets(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	versions := []cloud.Version{{Name: "1.36.1"}, {Name: "1.35.3"}}
	tests := []struct {
		live, want string
		auto       bool
		need       bool
	}{
		{live: "1.35.3", want: "1.35.3"},
		{live: "1.35.3", want: "1.35"},
		{live: "1.35.1", want: "1.35", auto: true}, // auto-upgrade applies the patch: no hop
		{live: "1.35.1", want: "1.35", need: true},
		{live: "1.35.3", want: "1.36", need: true},
		{live: "1.35.3", want: "1.36.1", need: true},
		{live: "1.36.1", want: "1.35"},   // a downgrade: an error, no target to ask for
		{live: "1.35.3", want: "1.37"},   // not in the region list: an error either way
		{live: "1.35.3", want: "1.35.1"}, // spec behind
	}
	for _, tt := range tests {
		c := &spec.Cluster{}
		c.Spec.Version = tt.want
		if tt.auto {
			c.Spec.AutoUpgrade = &spec.AutoUpgrade{Enabled: true}
		}
		if got := NeedsTargets(c, &cloud.Cluster{Version: tt.live}, versions, now); got != tt.need {
			t.Errorf("NeedsTargets(live %s, spec %s, auto %t) = %t, want %t", tt.live, tt.want, tt.auto, got, tt.need)
		}
	}
}
