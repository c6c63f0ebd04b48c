package emulator

import (
	"fmt"
	"time"
)

// Private networks: a small VPC v2 registry (create, get, delete are served; the CLI and Terraform
// create a PN before a Kapsule cluster, see the recordings). With Options.CheckPrivateNetworks (or
// RequirePrivateNetwork), a cluster or pool naming a private_network_id the registry does not hold
// in the cluster's region is refused. No recording shows the real refusal; the emulator answers
// invalid_arguments on private_network_id (reason constraint), which the SDK parses into
// *scw.InvalidArgumentsError. Private networks are seeded with SeedRequest.PrivateNetworks, and a
// seeded cluster naming an unknown one registers it.

// SeedPrivateNetwork is a private network to register. Zero fields get defaults (fr-par, the
// default project, a generated id and name).
type SeedPrivateNetwork struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Region    string `json:"region,omitempty"`
	ProjectID string `json:"project_id,omitempty"`
}

func (s *Server) checkPNs() bool { return s.opts.CheckPrivateNetworks || s.opts.RequirePrivateNetwork }

// checkPrivateNetwork refuses an id the registry does not hold in region (when checking is on).
func (s *Server) checkPrivateNetwork(region string, id *string) *apiError {
	if id == nil || *id == "" || !s.checkPNs() {
		return nil
	}
	if pn := s.st.PNs[*id]; pn == nil || pn.Region != region {
		return errInvalid("private_network_id", "constraint", "private network "+*id+" does not exist in region "+region)
	}
	return nil
}

func (s *Server) seedPrivateNetwork(sp SeedPrivateNetwork, now time.Time) (string, error) {
	if sp.Region == "" {
		sp.Region = "fr-par"
	}
	if _, ok := regionZones[sp.Region]; !ok {
		return "", fmt.Errorf("unknown region %s", sp.Region)
	}
	if sp.ProjectID == "" {
		sp.ProjectID = DefaultProjectID
	}
	if sp.ID == "" {
		sp.ID = s.newID()
	}
	if s.st.PNs[sp.ID] != nil {
		return "", fmt.Errorf("private network %s already exists", sp.ID)
	}
	if sp.Name == "" {
		sp.Name = "pn-" + sp.ID[:8]
	}
	return s.createPNWithID(sp.ID, sp.Region, sp.ProjectID, sp.Name, nil, now).ID, nil
}

func (s *Server) createPN(region, project, name string, tags []string, now time.Time) *PrivateNetwork {
	return s.createPNWithID(s.newID(), region, project, name, tags, now)
}

func (s *Server) createPNWithID(id, region, project, name string, tags []string, now time.Time) *PrivateNetwork {
	vpc := s.newID()
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
