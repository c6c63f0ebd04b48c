package scaleway

import (
	"context"
	"fmt"
	"net"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

var _ cloud.ACLs = (*Provider)(nil)

// ClusterACLRules lists the cluster's API server ACL (ListClusterACLRules, every page).
func (p *Provider) ClusterACLRules(ctx context.Context, region, clusterID string) ([]cloud.ACLRule, error) {
	p.warmUp()
	rules, err := allPages(ctx, p, func(ctx context.Context, page int32) ([]*k8s.ACLRule, uint64, error) {
		res, err := p.api.ListClusterACLRules(&k8s.ListClusterACLRulesRequest{Region: scw.Region(region), ClusterID: clusterID, Page: &page},
			scw.WithContext(ctx))
		if err != nil {
			return nil, 0, err
		}
		return res.Rules, res.TotalCount, nil
	})
	if err != nil {
		return nil, p.wrap(ctx, err, "list ACL rules of cluster %q", clusterID)
	}
	out := make([]cloud.ACLRule, 0, len(rules))
	for _, r := range rules {
		c := cloud.ACLRule{ID: r.ID, Description: r.Description, ScalewayRanges: r.ScalewayRanges != nil && *r.ScalewayRanges}
		if r.IP != nil {
			c.IP = r.IP.String()
		}
		out = append(out, c)
	}
	return out, nil
}

// SetClusterACLRules replaces the cluster's ACL with rules (SetClusterACLRules: one request).
func (p *Provider) SetClusterACLRules(ctx context.Context, region, clusterID string, rules []cloud.ACLRule) error {
	p.warmUp()
	req := &k8s.SetClusterACLRulesRequest{Region: scw.Region(region), ClusterID: clusterID, ACLs: []*k8s.ACLRuleRequest{}}
	for _, r := range rules {
		rr := &k8s.ACLRuleRequest{Description: r.Description}
		if r.ScalewayRanges {
			rr.ScalewayRanges = scw.BoolPtr(true)
		} else {
			_, n, err := net.ParseCIDR(r.IP)
			if err != nil {
				return &cloud.TerminalError{Reason: "invalid_arguments", Err: fmt.Errorf("set ACL rules of cluster %q: invalid CIDR %q", clusterID, r.IP)}
			}
			rr.IP = &scw.IPNet{IPNet: *n}
		}
		req.ACLs = append(req.ACLs, rr)
	}
	_, err := p.api.SetClusterACLRules(req, scw.WithContext(ctx))
	return p.wrap(ctx, err, "set ACL rules of cluster %q", clusterID)
}
