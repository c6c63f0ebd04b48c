package emulator

import (
	"net/http"
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

var _ = http.StatusOK
