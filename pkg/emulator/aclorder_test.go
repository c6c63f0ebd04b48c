package emulator_test

import (
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// The real API answers SetClusterACLRules with the rules in the order sent, and lists them ordered
// by address, the Scaleway-ranges rule last: Terraform recording acl-rules-order sent 12.2.3.4,
// 1.2.3.4, 11.2.3.4, 1.2.3.7 and read back 1.2.3.4, 1.2.3.7, 11.2.3.4, 12.2.3.4; acl-basic read an
// ip rule, then the scaleway_ranges rule.
func TestACLRulesListedByAddress(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "acl-order", "1.35.9", 0)
	cidr := func(s string) *scw.IPNet {
		var n scw.IPNet
		if err := n.UnmarshalJSON([]byte(`"` + s + `"`)); err != nil {
			t.Fatal(err)
		}
		return &n
	}
	yes := true
	sent := []*k8s.ACLRuleRequest{{ScalewayRanges: &yes, Description: "ranges"}, {IP: cidr("12.2.3.4/32"), Description: "First rule"},
		{IP: cidr("1.2.3.4/32"), Description: "Fourth rule"}, {IP: cidr("11.2.3.4/32"), Description: "Second rule"},
		{IP: cidr("1.2.3.7/32"), Description: "Third rule"}}
	set, err := api.SetClusterACLRules(&k8s.SetClusterACLRulesRequest{ClusterID: c.ID, ACLs: sent})
	if err != nil || len(set.Rules) != len(sent) {
		t.Fatalf("set: %v %v", set, err)
	}
	for i, r := range set.Rules {
		if r.Description != sent[i].Description {
			t.Fatalf("set answer #%d is %q, want the order sent (%q)", i, r.Description, sent[i].Description)
		}
	}
	l, err := api.ListClusterACLRules(&k8s.ListClusterACLRulesRequest{ClusterID: c.ID}, scw.WithAllPages())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Fourth rule", "Third rule", "Second rule", "First rule", "ranges"}
	if len(l.Rules) != len(want) || l.TotalCount != uint64(len(want)) {
		t.Fatalf("list: %+v", l)
	}
	for i, r := range l.Rules {
		if r.Description != want[i] {
			t.Fatalf("list #%d is %q, want %q (by address, ranges last)", i, r.Description, want[i])
		}
	}
}
