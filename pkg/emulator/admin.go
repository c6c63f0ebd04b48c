package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

const adminPrefix = "/emulator/v1/"

// ErrNotFound is returned by admin operations on unknown ids.
var ErrNotFound = errors.New("not found")

// Admin is the test and demo control surface. *Server implements it in-process and *AdminClient
// over HTTP (for an emulator started as `reconciler emulator`).
type Admin interface {
	Reset() error
	Seed(SeedRequest) (SeedResult, error)
	PatchCluster(id string, fields map[string]any) error
	PatchPool(id string, fields map[string]any) error
	PatchNode(id string, fields map[string]any) error
	SetNodeCreatedAt(id string, t time.Time) error
	SetFaults(Faults) error
	FailNext(FailNext) error
	ClearFaults() error
	Requests() (RequestLog, error)
	ResetRequests() error
	Advance(d time.Duration) (time.Time, error)
	SetNodeTypeAvailability(zone, nodeType, availability string) error
	SetNodeNotReady(id string, persistent bool) error
}

var _ Admin = (*Server)(nil)

// SeedRequest creates resources directly in a settled state.
type SeedRequest struct {
	PrivateNetworks []SeedPrivateNetwork `json:"private_networks,omitempty"`
	Clusters        []SeedCluster        `json:"clusters"`
}

// SeedCluster is a cluster to seed. Zero fields get defaults (fr-par, kapsule, cilium, ready or
// pool_required); Version may be any catalog version, listed or not (e.g. an old patch).
type SeedCluster struct {
	ID               string       `json:"id,omitempty"`
	Name             string       `json:"name"`
	Region           string       `json:"region,omitempty"`
	ProjectID        string       `json:"project_id,omitempty"`
	Type             string       `json:"type,omitempty"`
	Version          string       `json:"version"`
	Cni              string       `json:"cni,omitempty"`
	Status           string       `json:"status,omitempty"`
	Tags             []string     `json:"tags,omitempty"`
	Description      string       `json:"description,omitempty"`
	PrivateNetworkID string       `json:"private_network_id,omitempty"`
	AutoUpgrade      *AutoUpgrade `json:"auto_upgrade,omitempty"`
	CreatedAt        time.Time    `json:"created_at,omitempty"`
	Pools            []SeedPool   `json:"pools,omitempty"`
}

// SeedPool is a pool to seed with Size ready nodes. NodeCreatedAt gives the nodes' created_at in
// order (missing entries default to the pool's CreatedAt, itself defaulting to now).
type SeedPool struct {
	ID             string            `json:"id,omitempty"`
	Name           string            `json:"name"`
	NodeType       string            `json:"node_type,omitempty"`
	Zone           string            `json:"zone,omitempty"`
	Size           uint32            `json:"size"`
	Autoscaling    bool              `json:"autoscaling,omitempty"`
	MinSize        *uint32           `json:"min_size,omitempty"`
	MaxSize        *uint32           `json:"max_size,omitempty"`
	Autohealing    bool              `json:"autohealing,omitempty"`
	Version        string            `json:"version,omitempty"`
	Status         string            `json:"status,omitempty"`
	Tags           []string          `json:"tags,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	Taints         []Taint           `json:"taints,omitempty"`
	KubeletArgs    map[string]string `json:"kubelet_args,omitempty"`
	UpgradePolicy  *UpgradePolicy    `json:"upgrade_policy,omitempty"`
	RootVolumeType string            `json:"root_volume_type,omitempty"`
	CreatedAt      time.Time         `json:"created_at,omitempty"`
	NodeCreatedAt  []time.Time       `json:"node_created_at,omitempty"`
}

// SeedResult gives the ids of what was seeded, in request order.
type SeedResult struct {
	PrivateNetworks []string        `json:"private_networks,omitempty"` // ids, in request order
	Clusters        []SeededCluster `json:"clusters"`
}

// SeededCluster is one seeded cluster's ids.
type SeededCluster struct {
	ID    string       `json:"id"`
	Pools []SeededPool `json:"pools"`
}

// SeededPool is one seeded pool's ids.
type SeededPool struct {
	ID      string   `json:"id"`
	NodeIDs []string `json:"node_ids"`
}

// DefaultProjectID is used by Seed when no project is given.
const DefaultProjectID = "11111111-2222-4333-8444-555555555555"

// lockedAdmin runs an admin mutation under the lock, with state advanced to now, and persists.
func (s *Server) lockedAdmin(f func(now time.Time) error) error {
	s.mu.Lock()
	now := s.now()
	s.advance(now)
	err := f(now)
	s.dirty = true
	s.persistLocked()
	s.unlockApplyKube()
	return err
}

// Reset forgets every resource, fault and logged request (the clock offset too).
func (s *Server) Reset() error {
	err := s.lockedAdmin(func(time.Time) error {
		for _, n := range s.st.Nodes {
			s.kubeDelete(n)
		}
		s.st = newState()
		s.nodeTypes = s.opts.NodeTypes.clone()
		s.faults.init(1)
		return nil
	})
	_ = s.ResetRequests()
	return err
}

// Seed creates clusters, pools and ready nodes directly, bypassing the state machines.
func (s *Server) Seed(req SeedRequest) (SeedResult, error) {
	var res SeedResult
	err := s.lockedAdmin(func(now time.Time) error {
		for _, sp := range req.PrivateNetworks {
			id, err := s.seedPrivateNetwork(sp, now)
			if err != nil {
				return fmt.Errorf("seed private network %q: %w", sp.ID, err)
			}
			res.PrivateNetworks = append(res.PrivateNetworks, id)
		}
		for _, sc := range req.Clusters {
			out, err := s.seedCluster(sc, now)
			if err != nil {
				return fmt.Errorf("seed cluster %q: %w", sc.Name, err)
			}
			res.Clusters = append(res.Clusters, out)
		}
		return nil
	})
	return res, err
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC()
}

func (s *Server) seedCluster(sc SeedCluster, now time.Time) (SeededCluster, error) {
	if sc.Region == "" {
		sc.Region = "fr-par"
	}
	if _, ok := regionZones[sc.Region]; !ok {
		return SeededCluster{}, fmt.Errorf("unknown region %s", sc.Region)
	}
	if _, ok := s.catalogEntry(sc.Version); !ok {
		return SeededCluster{}, fmt.Errorf("version %s is not in the catalog", sc.Version)
	}
	if sc.ProjectID == "" {
		sc.ProjectID = DefaultProjectID
	}
	if sc.Type == "" {
		sc.Type = "kapsule"
	}
	if _, _, ok := clusterTypeByName(sc.Type); !ok {
		return SeededCluster{}, fmt.Errorf("unknown type %s", sc.Type)
	}
	if sc.Cni == "" {
		sc.Cni = "cilium"
		if isMulticloud(sc.Type) {
			sc.Cni = "kilo"
		}
	}
	id := sc.ID
	if id == "" {
		id = s.newID()
	}
	if s.st.Clusters[id] != nil {
		return SeededCluster{}, fmt.Errorf("cluster %s already exists", id)
	}
	created := orNow(sc.CreatedAt, now)
	var pn *string
	if !isMulticloud(sc.Type) {
		p := sc.PrivateNetworkID
		switch {
		case p == "":
			p = s.createPN(sc.Region, sc.ProjectID, "pn-"+sc.Name, []string{"created-along-with-k8s-cluster"}, created).ID
		case s.st.PNs[p] == nil:
			s.createPNWithID(p, sc.Region, sc.ProjectID, "pn-"+sc.Name, nil, created)
		}
		pn = &p
	}
	au := AutoUpgrade{MaintenanceWindow: MaintenanceWindow{Day: "any"}}
	if sc.AutoUpgrade != nil {
		au = *sc.AutoUpgrade
	}
	c := &clusterRec{Cluster: Cluster{
		Region: sc.Region, ID: id, OrganizationID: sc.ProjectID, ProjectID: sc.ProjectID, CreatedAt: created,
		UpdatedAt: created, Type: sc.Type, Name: sc.Name, Description: sc.Description, Status: "ready",
		Version: sc.Version, Cni: sc.Cni, Tags: orEmpty(sc.Tags),
		ClusterURL:       "https://" + id + ".api.k8s." + sc.Region + ".scw.cloud:6443",
		DNSWildcard:      "*." + id + ".nodes.k8s." + sc.Region + ".scw.cloud",
		AutoscalerConfig: defaultAutoscaler(), AutoUpgrade: au, FeatureGates: []string{}, AdmissionPlugins: []string{},
		OpenIDConnectConfig: OIDCConfig{GroupsClaim: []string{}, RequiredClaim: []string{}},
		ApiserverCertSans:   []string{}, PrivateNetworkID: pn, CommitmentEndsAt: created, ACLAvailable: true,
		PodCidr: "100.64.0.0/15", ServiceCidr: "10.32.0.0/20", ServiceDNSIP: "10.32.0.10", NewImagesEnabled: true,
	}, Seq: s.st.nextSeq(), Token: randomToken(54), SettledAt: created}
	s.st.Clusters[id] = c
	s.st.ACLs[id] = []ACLRule{{ID: s.newID(), IP: "0.0.0.0/0", Description: "Automatically generated"}}
	out := SeededCluster{ID: id, Pools: []SeededPool{}}
	for _, sp := range sc.Pools {
		nodeType := sp.NodeType
		if nodeType == "" {
			nodeType = "pro2_xxs"
		}
		req := createPoolReq{Name: sp.Name, NodeType: nodeType, Autoscaling: sp.Autoscaling, Size: sp.Size,
			MinSize: sp.MinSize, MaxSize: sp.MaxSize, Autohealing: sp.Autohealing, Tags: sp.Tags,
			KubeletArgs: sp.KubeletArgs, Zone: sp.Zone, Labels: sp.Labels, Taints: sp.Taints, RootVolumeType: sp.RootVolumeType}
		if sp.UpgradePolicy != nil {
			req.UpgradePolicy = &upgradePolicyReq{MaxUnavailable: &sp.UpgradePolicy.MaxUnavailable, MaxSurge: &sp.UpgradePolicy.MaxSurge}
		}
		p, aerr := s.buildPool(c, &req, orNow(sp.CreatedAt, created))
		if aerr != nil {
			delete(s.st.Clusters, id)
			return SeededCluster{}, fmt.Errorf("pool %q: %v", sp.Name, aerr.body)
		}
		if sp.ID != "" {
			p.ID = sp.ID
		}
		if sp.Version != "" {
			if _, ok := s.catalogEntry(sp.Version); !ok {
				return SeededCluster{}, fmt.Errorf("pool %q: version %s is not in the catalog", sp.Name, sp.Version)
			}
			p.Version = sp.Version
		}
		p.Status = "ready"
		if sp.Status != "" {
			p.Status = sp.Status
		}
		p.Seq = s.st.nextSeq()
		s.st.Pools[p.ID] = p
		seeded := SeededPool{ID: p.ID, NodeIDs: []string{}}
		for i := 0; i < int(p.Size); i++ {
			t := p.CreatedAt
			if i < len(sp.NodeCreatedAt) {
				t = sp.NodeCreatedAt[i].UTC()
			}
			n := s.newNode(p, t)
			n.Due = time.Time{}
			s.setNodeReady(n, t)
			seeded.NodeIDs = append(seeded.NodeIDs, n.ID)
		}
		out.Pools = append(out.Pools, seeded)
	}
	c.Status = s.settledClusterStatus(c)
	if sc.Status != "" {
		c.Status = sc.Status
	}
	return out, nil
}

// patchJSON overlays fields (wire JSON names) on v.
func patchJSON(v any, fields map[string]any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k, x := range fields {
		if _, ok := m[k]; !ok {
			return fmt.Errorf("unknown field %q", k)
		}
		m[k] = x
	}
	b, err = json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// PatchCluster changes a cluster out of band (drift, or status such as "locked"), by wire JSON name.
// The id and region cannot change.
func (s *Server) PatchCluster(id string, fields map[string]any) error {
	return s.lockedAdmin(func(now time.Time) error {
		c := s.st.Clusters[id]
		if c == nil {
			return fmt.Errorf("cluster %s: %w", id, ErrNotFound)
		}
		next := c.Cluster
		if err := patchJSON(&next, fields); err != nil {
			return fmt.Errorf("patch cluster: %w", err)
		}
		next.ID, next.Region = c.ID, c.Region
		c.Cluster = next
		if _, ok := fields["status"]; ok {
			c.Due = time.Time{}
		}
		return nil
	})
}

// PatchPool changes a pool out of band. Changing size does not start scaling (that is drift).
func (s *Server) PatchPool(id string, fields map[string]any) error {
	return s.lockedAdmin(func(now time.Time) error {
		p := s.st.Pools[id]
		if p == nil {
			return fmt.Errorf("pool %s: %w", id, ErrNotFound)
		}
		next := p.Pool
		if err := patchJSON(&next, fields); err != nil {
			return fmt.Errorf("patch pool: %w", err)
		}
		next.ID, next.ClusterID, next.Region = p.ID, p.ClusterID, p.Region
		p.Pool = next
		if _, ok := fields["status"]; ok {
			p.Due = time.Time{}
		}
		s.kubeRelabelPool(p)
		return nil
	})
}

// PatchNode changes a node out of band (e.g. status not_ready).
func (s *Server) PatchNode(id string, fields map[string]any) error {
	return s.lockedAdmin(func(now time.Time) error {
		n := s.st.Nodes[id]
		if n == nil {
			return fmt.Errorf("node %s: %w", id, ErrNotFound)
		}
		next := n.Node
		if err := patchJSON(&next, fields); err != nil {
			return fmt.Errorf("patch node: %w", err)
		}
		next.ID, next.PoolID, next.ClusterID, next.Region = n.ID, n.PoolID, n.ClusterID, n.Region
		n.Node = next
		if _, ok := fields["status"]; ok {
			n.Due = time.Time{}
			if n.Status == "not_ready" {
				s.markNotReady(n, now, n.Broken)
			} else {
				n.NotReadySince, n.AutohealRebooted, n.Broken = time.Time{}, false, false
			}
		}
		s.kubeUpsert(n)
		return nil
	})
}

// SetNodeCreatedAt ages (or rejuvenates) a node.
func (s *Server) SetNodeCreatedAt(id string, t time.Time) error {
	return s.PatchNode(id, map[string]any{"created_at": t.UTC().Format(time.RFC3339Nano)})
}

// SetFaults replaces the random fault configuration and reseeds its generator.
func (s *Server) SetFaults(f Faults) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.faults.next
	s.faults.init(f.Seed)
	s.faults.cfg = f
	s.faults.next = next
	return nil
}

// FailNext queues a deterministic failure of the next matching requests.
func (s *Server) FailNext(f FailNext) error {
	if f.Count <= 0 {
		return fmt.Errorf("fail-next: count must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.next = append(s.faults.next, f)
	return nil
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.init(1)
	return nil
}

// Requests returns the request log (oldest first) and counts per endpoint.
func (s *Server) Requests() (RequestLog, error) {
	l := &s.reqlog
	l.mu.Lock()
	defer l.mu.Unlock()
	out := RequestLog{Counts: map[string]int{}, Requests: append([]RequestRecord{}, l.records...),
		Events: append([]LifecycleEvent{}, l.events...)}
	for k, v := range l.counts {
		out.Counts[k] = v
		out.Total += v
	}
	return out, nil
}

// ResetRequests clears the request log.
func (s *Server) ResetRequests() error {
	l := &s.reqlog
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records, l.counts, l.events = nil, map[string]int{}, nil
	return nil
}

// Advance moves the emulator's time forward by d (on top of its clock) and fires what became due.
func (s *Server) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("advance: negative duration")
	}
	var now time.Time
	err := s.lockedAdmin(func(time.Time) error {
		s.st.Offset += d
		now = s.now()
		s.advance(now)
		return nil
	})
	return now, err
}

// Now is the emulator's current time (clock plus Advance offset).
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// CountOf returns how many logged requests hit endpoint ("METHOD /route/{template}").
func (l RequestLog) CountOf(endpoint string) int { return l.Counts[endpoint] }

// Endpoints lists the endpoints seen, sorted.
func (l RequestLog) Endpoints() []string {
	out := make([]string, 0, len(l.Counts))
	for k := range l.Counts {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// serveAdmin is the HTTP face of Admin.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, adminPrefix)
	segs := strings.Split(strings.Trim(p, "/"), "/")
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		adminErr(w, http.StatusBadRequest, err)
		return
	}
	decodeBody := func(v any) bool {
		if len(body) == 0 {
			return true
		}
		if err := json.Unmarshal(body, v); err != nil {
			adminErr(w, http.StatusBadRequest, err)
			return false
		}
		return true
	}
	done := func(v any, err error) {
		switch {
		case errors.Is(err, ErrNotFound):
			adminErr(w, http.StatusNotFound, err)
		case err != nil:
			adminErr(w, http.StatusBadRequest, err)
		default:
			if v == nil {
				v = map[string]any{}
			}
			writeJSON(w, http.StatusOK, v)
		}
	}
	switch {
	case r.Method == "POST" && p == "reset":
		done(nil, s.Reset())
	case r.Method == "POST" && p == "seed":
		var req SeedRequest
		if decodeBody(&req) {
			res, err := s.Seed(req)
			done(res, err)
		}
	case r.Method == "PATCH" && len(segs) == 2 && (segs[0] == "clusters" || segs[0] == "pools" || segs[0] == "nodes"):
		fields := map[string]any{}
		if decodeBody(&fields) {
			patch := map[string]func(string, map[string]any) error{"clusters": s.PatchCluster, "pools": s.PatchPool, "nodes": s.PatchNode}[segs[0]]
			done(nil, patch(segs[1], fields))
		}
	case r.Method == "POST" && len(segs) == 3 && segs[0] == "nodes" && segs[2] == "created-at":
		var req struct {
			CreatedAt time.Time `json:"created_at"`
		}
		if decodeBody(&req) {
			done(nil, s.SetNodeCreatedAt(segs[1], req.CreatedAt))
		}
	case r.Method == "POST" && len(segs) == 3 && segs[0] == "nodes" && segs[2] == "not-ready":
		var req struct {
			Persistent bool `json:"persistent"`
		}
		if decodeBody(&req) {
			done(nil, s.SetNodeNotReady(segs[1], req.Persistent))
		}
	case r.Method == "PUT" && p == "faults":
		var f Faults
		if decodeBody(&f) {
			done(nil, s.SetFaults(f))
		}
	case r.Method == "DELETE" && p == "faults":
		done(nil, s.ClearFaults())
	case r.Method == "POST" && p == "faults/next":
		var f FailNext
		if decodeBody(&f) {
			done(nil, s.FailNext(f))
		}
	case r.Method == "GET" && p == "requests":
		l, err := s.Requests()
		done(l, err)
	case r.Method == "DELETE" && p == "requests":
		done(nil, s.ResetRequests())
	case r.Method == "POST" && p == "clock/advance":
		var req struct {
			Duration string `json:"duration"`
		}
		if decodeBody(&req) {
			d, err := time.ParseDuration(req.Duration)
			if err != nil {
				adminErr(w, http.StatusBadRequest, err)
				return
			}
			now, err := s.Advance(d)
			done(map[string]any{"now": now}, err)
		}
	case r.Method == "PUT" && len(segs) == 4 && segs[0] == "zones" && segs[2] == "node-types":
		var req struct {
			Availability string `json:"availability"`
		}
		if decodeBody(&req) {
			done(nil, s.SetNodeTypeAvailability(segs[1], segs[3], req.Availability))
		}
	case r.Method == "GET" && p == "clock":
		done(map[string]any{"now": s.Now()}, nil)
	default:
		adminErr(w, http.StatusNotFound, fmt.Errorf("no admin route %s %s", r.Method, r.URL.Path))
	}
}

func adminErr(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]any{"message": err.Error(), "type": "emulator_admin"})
}
