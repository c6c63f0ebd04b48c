package plan

import (
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func TestACLAction(t *testing.T) {
	c := &spec.Cluster{Metadata: spec.Metadata{Name: "c"}, Spec: spec.ClusterSpec{ACL: &spec.ACL{ScalewayRanges: true,
		Rules: []spec.ACLRule{{IP: "203.0.113.0/24", Description: "office"}}}}}
	base := func() map[string]string { return map[string]string{} }
	same := []cloud.ACLRule{{ID: "b", IP: "203.0.113.0/24", Description: "office"}, {ID: "a", ScalewayRanges: true, Description: "any"}}
	for name, tc := range map[string]struct {
		spec *spec.ACL
		live []cloud.ACLRule
		want bool
	}{
		"unmanaged":        {nil, []cloud.ACLRule{{IP: "0.0.0.0/0"}}, false},
		"not observed":     {c.Spec.ACL, nil, false},
		"same, reordered":  {c.Spec.ACL, same, false},
		"api default":      {c.Spec.ACL, []cloud.ACLRule{{IP: "0.0.0.0/0", Description: "Automatically generated"}}, true},
		"description only": {c.Spec.ACL, []cloud.ACLRule{{IP: "203.0.113.0/24", Description: "home"}, {ScalewayRanges: true}}, true},
		"one missing":      {c.Spec.ACL, same[:1], true},
	} {
		cc := *c
		cc.Spec.ACL = tc.spec
		d := aclAction(&cc, &cloud.Cluster{ACL: tc.live}, base)
		if (d != nil) != tc.want {
			t.Errorf("%s: action %+v, want %v", name, d, tc.want)
			continue
		}
		if d != nil && (d.a.Type != SetClusterACL || len(d.a.Payload.ACL) != 2 || !d.a.Payload.ACL[0].ScalewayRanges || d.a.Changes[0].Path != "spec.acl") {
			t.Errorf("%s: action %+v", name, d.a)
		}
	}
}
