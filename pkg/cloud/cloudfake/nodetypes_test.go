package cloudfake_test

import (
	"errors"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudfake"
)

// TestStrictZoneRefusesAsTheAPI: a zone with an explicit catalog refuses an unknown type
// (invalid_arguments) and a type in shortage (out_of_stock); a quota refuses the pool that
// would go over it (quotas_exceeded) and ListNodeTypes reports the zone's use.
func TestStrictZoneRefusesAsTheAPI(t *testing.T) {
	f, _ := newFake(
		cloudfake.WithNodeTypes("fr-par-1",
			cloud.NodeType{Name: "PRO2-S", Zone: "fr-par-1", Availability: cloud.StockAvailable},
			cloud.NodeType{Name: "PRO2-M", Zone: "fr-par-1", Availability: cloud.StockShortage}),
		cloudfake.WithQuota("fr-par-1", 4))
	ctx := t.Context()
	c := kapsule("c", "1.36.1", cloud.Pool{Name: "a", NodeType: "pro2_s", Size: 2})
	created, err := f.CreateCluster(ctx, ref, c)
	if err != nil {
		t.Fatalf("CreateCluster with PRO2-S: %v", err)
	}
	f.Step()
	for _, tc := range []struct {
		pool   cloud.Pool
		reason string
	}{
		{cloud.Pool{Name: "typo", NodeType: "PRO2-SS", Size: 1}, "invalid_arguments"},
		{cloud.Pool{Name: "short", NodeType: "PRO2-M", Size: 1}, "out_of_stock"},
		{cloud.Pool{Name: "big", NodeType: "PRO2-S", Size: 3}, "quotas_exceeded"},
	} {
		_, err := f.CreatePool(ctx, "fr-par", created.ID, tc.pool)
		var te *cloud.TerminalError
		if !errors.As(err, &te) || te.Reason != tc.reason {
			t.Errorf("CreatePool %s (%s ×%d): err = %v, want terminal %s", tc.pool.Name, tc.pool.NodeType, tc.pool.Size, err, tc.reason)
		}
	}
	if _, err := f.CreatePool(ctx, "fr-par", created.ID, cloud.Pool{Name: "fits", NodeType: "PRO2-S", Size: 2}); err != nil {
		t.Errorf("CreatePool within the quota: %v", err)
	}
	f.Step()
	z, err := f.ListNodeTypes(ctx, "fr-par-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(z.NodeTypes) != 2 || z.Quota == nil || z.Quota.Limit != 4 || z.Quota.Used != 4 {
		t.Errorf("catalog = %d types, quota %+v; want 2 types, limit 4 used 4", len(z.NodeTypes), z.Quota)
	}
	// A zone without a catalog lists the defaults and stays lenient.
	other, err := f.ListNodeTypes(ctx, "nl-ams-1")
	if err != nil || len(other.NodeTypes) == 0 || other.Quota != nil {
		t.Errorf("default zone: %+v, %v", other, err)
	}
}
