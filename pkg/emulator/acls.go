package emulator

import (
	"bytes"
	"net"
	"sort"
)

type aclReq struct {
	ACLs []struct {
		IP             *string `json:"ip"`
		ScalewayRanges *bool   `json:"scaleway_ranges"`
		Description    string  `json:"description"`
	} `json:"acls"`
}

func (s *Server) buildACLs(r *request) ([]ACLRule, *apiError) {
	var req aclReq
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	out := []ACLRule{}
	for _, a := range req.ACLs {
		rule := ACLRule{ID: s.newID(), Description: a.Description}
		hasIP := a.IP != nil && *a.IP != ""
		ranges := a.ScalewayRanges != nil && *a.ScalewayRanges
		if hasIP == ranges {
			return nil, errInvalid("acls.ip", "constraint", "exactly one of ip and scaleway_ranges must be set")
		}
		if hasIP {
			if _, _, err := net.ParseCIDR(*a.IP); err != nil {
				return nil, errInvalid("acls.ip", "format", "ip must be a CIDR")
			}
			rule.IP = *a.IP
		}
		rule.ScalewayRanges = ranges
		out = append(out, rule)
	}
	return out, nil
}

func (s *Server) handleListACLs(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	rules := sortedACLs(s.st.ACLs[c.ID])
	page, aerr := paginate(r, len(rules), s.opts.DefaultPageSize)
	if aerr != nil {
		return nil, aerr
	}
	out := append([]ACLRule{}, rules[page.lo:page.hi]...)
	return map[string]any{"rules": out, "total_count": len(rules)}, nil
}

func (s *Server) handleAddACLs(r *request) (any, *apiError) {
	return s.changeACLs(r, func(old, rules []ACLRule) []ACLRule { return append(old, rules...) })
}

func (s *Server) handleSetACLs(r *request) (any, *apiError) {
	return s.changeACLs(r, func(_, rules []ACLRule) []ACLRule { return rules })
}

// changeACLs builds the request's rules and stores merge(current, rules) as the cluster's ACL;
// the response holds the request's rules.
func (s *Server) changeACLs(r *request, merge func(current, rules []ACLRule) []ACLRule) (any, *apiError) {
	c, aerr := s.unlockedClusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	rules, aerr := s.buildACLs(r)
	if aerr != nil {
		return nil, aerr
	}
	s.st.ACLs[c.ID] = merge(s.st.ACLs[c.ID], rules)
	return map[string]any{"rules": rules}, nil
}

func (s *Server) handleDeleteACL(r *request) (any, *apiError) {
	id := r.param("acl_id")
	for cid, rules := range s.st.ACLs {
		c := s.st.Clusters[cid]
		if c == nil || c.Region != r.region {
			continue
		}
		for i, rule := range rules {
			if rule.ID == id {
				s.st.ACLs[cid] = append(rules[:i:i], rules[i+1:]...)
				return map[string]any{}, nil
			}
		}
	}
	return nil, errNotFound("acl", id)
}

// sortedACLs is the listing order of the real API: rules by address (then prefix length), the
// Scaleway-ranges rule last (recordings acl-rules-order, acl-basic). Set and Add answer in the
// order sent.
func sortedACLs(rules []ACLRule) []ACLRule {
	out := append([]ACLRule{}, rules...)
	key := func(r ACLRule) (net.IP, int, bool) {
		ip, n, err := net.ParseCIDR(r.IP)
		if err != nil {
			return nil, 0, false
		}
		ones, _ := n.Mask.Size()
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		return ip, ones, true
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, am, aok := key(out[i])
		b, bm, bok := key(out[j])
		if aok != bok {
			return aok
		}
		if !aok {
			return false
		}
		if len(a) != len(b) {
			return len(a) < len(b) // IPv4 first
		}
		if c := bytes.Compare(a, b); c != 0 {
			return c < 0
		}
		return am < bm
	})
	return out
}
