package emulator

import (
	"net/http"
	"strconv"
	"time"
)

// Non-k8s endpoints the real clients touch (docs/scaleway-k8s-api.md §1.7).

func (s *Server) handleMetadata(*request) (any, *apiError) {
	return map[string]any{"platform": "external", "partition": "scw", "domain": "scw.eu"}, nil
}

func (s *Server) createPN(region, project, name string, tags []string, now time.Time) *PrivateNetwork {
	id, vpc := s.newID(), s.newID()
	pn := &PrivateNetwork{ID: id, Name: name, Tags: orEmpty(tags), OrganizationID: project, ProjectID: project,
		CreatedAt: now, UpdatedAt: now, VpcID: vpc, DHCPEnabled: true, Region: region,
		Subnets: []Subnet{{ID: s.newID(), CreatedAt: now, UpdatedAt: now, Subnet: "172.16.0.0/22",
			ProjectID: project, PrivateNetworkID: id, VpcID: vpc, Region: region}}}
	s.st.PNs[id] = pn
	return pn
}

func (s *Server) handleCreatePN(r *request) (any, *apiError) {
	var req struct {
		Name      string   `json:"name"`
		ProjectID string   `json:"project_id"`
		Tags      []string `json:"tags"`
	}
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	if req.Name == "" {
		req.Name = "pn-" + randomToken(6)
	}
	return s.createPN(r.region, req.ProjectID, req.Name, req.Tags, r.now), nil
}

func (s *Server) handleGetPN(r *request) (any, *apiError) {
	pn := s.st.PNs[r.param("pn_id")]
	if pn == nil || pn.Region != r.region {
		return nil, errNotFound("private_network", r.param("pn_id"))
	}
	return pn, nil
}

func (s *Server) handleDeletePN(r *request) (any, *apiError) {
	pn := s.st.PNs[r.param("pn_id")]
	if pn == nil || pn.Region != r.region {
		return nil, errNotFound("private_network", r.param("pn_id"))
	}
	for _, c := range s.st.Clusters {
		if c.PrivateNetworkID != nil && *c.PrivateNetworkID == pn.ID {
			return nil, errPrecondition("resource_still_in_use", "private network is attached to cluster "+c.ID)
		}
	}
	delete(s.st.PNs, pn.ID)
	return noContent{}, nil
}

func (s *Server) handleListIPs(*request) (any, *apiError) {
	return map[string]any{"total_count": 0, "ips": []any{}}, nil
}

// handleProductsServers serves the legacy instance products list (one page) with the node types the
// emulator knows; the real API also sets X-Total-Count, which the handler wrapper cannot, so the
// list is short enough to fit in the first page.
func (s *Server) handleProductsServers(r *request) (any, *apiError) {
	if p := r.query.Get("page"); p != "" && p != "1" {
		if n, err := strconv.Atoi(p); err == nil && n > 1 {
			return map[string]any{"servers": map[string]any{}}, nil
		}
	}
	servers := map[string]any{}
	for _, t := range []string{"DEV1-S", "DEV1-M", "DEV1-L", "DEV1-XL", "GP1-XS", "GP1-S", "PRO2-XXS", "PRO2-XS", "PRO2-S", "PRO2-M", "PRO2-L", "POP2-2C-8G", "POP2-4C-16G"} {
		servers[t] = map[string]any{"alt_names": []string{}, "arch": "x86_64", "ncpus": 2, "ram": 8589934592, "gpu": 0,
			"volumes_constraint":    map[string]any{"min_size": 0, "max_size": 0},
			"per_volume_constraint": map[string]any{"l_ssd": map[string]any{"min_size": 0, "max_size": 0}},
			"monthly_price":         10.0, "hourly_price": 0.01,
			"capabilities": map[string]any{"boot_types": []string{"local", "rescue"}, "placement_groups": true, "block_storage": true, "private_network": 8},
			"network":      map[string]any{"ipv6_support": true, "sum_internal_bandwidth": 1000000000, "sum_internet_bandwidth": 1000000000, "interfaces": []any{}}}
	}
	return map[string]any{"servers": servers}, nil
}

var _ = http.StatusOK
