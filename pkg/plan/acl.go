package plan

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// aclAction is the set-cluster-acl action when spec.acl is set, the live list was observed
// (cloud.Cluster.ACL non-nil) and the two differ as sets (order and IDs aside); nil otherwise.
func aclAction(c *spec.Cluster, live *cloud.Cluster, base func() map[string]string) *draft {
	if c.Spec.ACL == nil || live.ACL == nil {
		return nil
	}
	want := DesiredACL(c.Spec.ACL)
	if slices.Equal(aclKeys(want), aclKeys(live.ACL)) {
		return nil
	}
	name := c.Metadata.Name
	return &draft{phase: phUpdateCluster, a: Action{ID: actionID(name, SetClusterACL), Type: SetClusterACL,
		Target: clusterTarget(name), Reason: "spec-changed", Details: base(), Payload: Payload{ACL: want},
		Changes: []Change{{Path: "spec.acl", Before: aclKeys(live.ACL), After: aclKeys(want)}}}}
}

// DesiredACL is the access list spec.acl asks for: Scaleway's ranges first when allowed, then
// the rules in order.
func DesiredACL(a *spec.ACL) []cloud.ACLRule {
	out := []cloud.ACLRule{}
	if a.ScalewayRanges {
		out = append(out, cloud.ACLRule{ScalewayRanges: true, Description: "scaleway ranges"})
	}
	for _, r := range a.Rules {
		out = append(out, cloud.ACLRule{IP: r.IP, Description: r.Description})
	}
	return out
}

// aclKeys are the rules as sorted, comparable text: "scaleway-ranges" or "<cidr> <description>".
func aclKeys(rules []cloud.ACLRule) []string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		k := "scaleway-ranges"
		if !r.ScalewayRanges {
			k = r.IP
			if p, err := netip.ParsePrefix(r.IP); err == nil {
				k = p.Masked().String()
			}
			if r.Description != "" {
				k += " " + strings.TrimSpace(r.Description)
			}
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
