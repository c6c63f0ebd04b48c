package emulator

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

var nodeStatuses = map[string]bool{"unknown": true, "creating": true, "not_ready": true, "ready": true, "deleting": true,
	"deleted": true, "locked": true, "rebooting": true, "creation_error": true, "upgrading": true, "starting": true, "registering": true}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// nodeName follows the real pattern scw-{cluster[:17]}-{pool[:17]}-{id hex prefix}, 46 characters.
func nodeName(cluster, pool, id string) string {
	trim := func(s string) string {
		s = nonName.ReplaceAllString(strings.ToLower(s), "-")
		if len(s) > 17 {
			s = s[:17]
		}
		return s
	}
	base := "scw-" + trim(cluster) + "-" + trim(pool) + "-"
	hex := strings.ReplaceAll(id, "-", "")
	n := 46 - len(base)
	if n < 6 {
		n = 6
	}
	if n > len(hex) {
		n = len(hex)
	}
	return base + hex[:n]
}

// instanceID derives a stable instance UUID from a node id.
func instanceID(nodeID string) string {
	h := sha256.Sum256([]byte("instance/" + nodeID))
	u, _ := uuid.FromBytes(h[:16])
	return u.String()
}

func publicIP(nodeID string) string {
	h := sha256.Sum256([]byte("ip/" + nodeID))
	return fmt.Sprintf("51.15.%d.%d", h[0], 1+h[1]%254)
}

func (s *Server) newID() string { return uuid.NewString() }

// newNode adds a node in creating to the pool, running the pool's version.
func (s *Server) newNode(p *poolRec, t time.Time) *nodeRec {
	c := s.st.Clusters[p.ClusterID]
	id := s.newID()
	clusterName := ""
	if c != nil {
		clusterName = c.Name
	}
	empty := "" // "" until the instance is up, and for ever when public_ip_disabled (as recorded)
	ip := &empty
	n := &nodeRec{
		Node: Node{
			Region: p.Region, ID: id, ClusterID: p.ClusterID, PoolID: p.ID, CreatedAt: t, UpdatedAt: t,
			Status: "creating", Conditions: map[string]string{"Creating": "True", "Ready": "False"},
			Name: nodeName(clusterName, p.Name, id), PublicIPV4: ip,
		},
		Seq: s.st.nextSeq(), Due: t.Add(s.opts.Dwell.NodeCreate), Version: p.Version, Zone: p.Zone,
	}
	s.st.Nodes[id] = n
	s.kubeUpsert(n)
	s.touch()
	return n
}

func (s *Server) nodeFor(r *request) (*nodeRec, *apiError) {
	n := s.st.Nodes[r.param("node_id")]
	if n == nil || n.Region != r.region {
		return nil, errNotFound("node", r.param("node_id"))
	}
	return n, nil
}

func (s *Server) handleListNodes(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	poolID, name, status := r.query.Get("pool_id"), r.query.Get("name"), r.query.Get("status")
	if status != "" && !nodeStatuses[status] {
		return nil, errInvalid("status", "constraint", "unknown status "+status)
	}
	var list []*nodeRec
	for _, n := range s.st.Nodes {
		if n.ClusterID != c.ID || poolID != "" && n.PoolID != poolID {
			continue
		}
		if name != "" && !strings.Contains(n.Name, name) || status != "" && status != "unknown" && n.Status != status {
			continue
		}
		list = append(list, n)
	}
	if err := sortRecs(list, r.query.Get("order_by"), func(n *nodeRec) sortKey {
		return sortKey{n.CreatedAt, n.UpdatedAt, n.Name, n.Status, n.Version, n.Seq}
	}); err != nil {
		return nil, err
	}
	page, aerr := paginate(r, len(list), s.opts.DefaultPageSize)
	if aerr != nil {
		return nil, aerr
	}
	out := []Node{}
	for _, n := range list[page.lo:page.hi] {
		out = append(out, n.Node)
	}
	return map[string]any{"total_count": len(list), "nodes": out}, nil
}

func (s *Server) handleGetNode(r *request) (any, *apiError) {
	n, aerr := s.nodeFor(r)
	if aerr != nil {
		return nil, aerr
	}
	return n.Node, nil
}

// nodeMutable checks the node, its pool and cluster allow an operation.
func (s *Server) nodeMutable(n *nodeRec) (*poolRec, *apiError) {
	p := s.st.Pools[n.PoolID]
	if p == nil {
		return nil, errNotFound("pool", n.PoolID)
	}
	if c := s.st.Clusters[n.ClusterID]; c != nil && c.Status == "locked" {
		return nil, errLocked("cluster", c.ID)
	}
	if p.Status == "locked" {
		return nil, errLocked("pool", p.ID)
	}
	if n.Status == "locked" {
		return nil, errLocked("node", n.ID)
	}
	if p.Status == "upgrading" || p.Status == "deleting" {
		return nil, errTransient("pool", p.ID, p.Status)
	}
	switch n.Status {
	case "creating", "deleting", "rebooting", "upgrading", "starting", "registering":
		return nil, errTransient("node", n.ID, n.Status)
	}
	return p, nil
}

// handleReplaceNode: the node goes deleting, a new node (new id, fresh created_at) is created in the
// same pool, and the pool scales until the replacement is ready.
func (s *Server) handleReplaceNode(r *request) (any, *apiError) {
	n, aerr := s.nodeFor(r)
	if aerr != nil {
		return nil, aerr
	}
	p, aerr := s.nodeMutable(n)
	if aerr != nil {
		return nil, aerr
	}
	s.startNodeDelete(n, r.now)
	s.newNode(p, r.now)
	p.Status, p.UpdatedAt, p.Due = "scaling", r.now, r.now.Add(s.opts.Dwell.PoolScaling)
	return n.Node, nil
}

func (s *Server) handleRebootNode(r *request) (any, *apiError) {
	n, aerr := s.nodeFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if _, aerr := s.nodeMutable(n); aerr != nil {
		return nil, aerr
	}
	n.Status, n.UpdatedAt, n.Due = "rebooting", r.now, r.now.Add(s.opts.Dwell.NodeReboot)
	n.Conditions = map[string]string{"Ready": "False"}
	s.kubeNotReady(n)
	s.touch()
	return n.Node, nil
}

// handleDeleteNode drains and deletes the node and reduces the pool size by one.
func (s *Server) handleDeleteNode(r *request) (any, *apiError) {
	n, aerr := s.nodeFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if n.Status == "deleting" {
		return n.Node, nil
	}
	p, aerr := s.nodeMutable(n)
	if aerr != nil {
		return nil, aerr
	}
	if p.Autoscaling && p.Size <= p.MinSize {
		return nil, errInvalid("node_id", "constraint", "pool size cannot go below min_size")
	}
	if p.Size > 0 {
		p.Size--
	}
	if !p.Autoscaling {
		p.MinSize, p.MaxSize = p.Size, p.Size
	}
	s.startNodeDelete(n, r.now)
	p.Status, p.UpdatedAt, p.Due = "scaling", r.now, r.now.Add(s.opts.Dwell.PoolScaling)
	return n.Node, nil
}

// sortKey is what order_by can sort on; seq breaks ties (creation order).
type sortKey struct {
	created, updated time.Time
	name, status     string
	version          string
	seq              int64
}

func sortRecs[T any](list []T, orderBy string, key func(T) sortKey) *apiError {
	if orderBy == "" {
		orderBy = "created_at_asc"
	}
	field, desc := orderBy, false
	switch {
	case strings.HasSuffix(orderBy, "_asc"):
		field = strings.TrimSuffix(orderBy, "_asc")
	case strings.HasSuffix(orderBy, "_desc"):
		field, desc = strings.TrimSuffix(orderBy, "_desc"), true
	default:
		return errInvalid("order_by", "constraint", "unknown order_by "+orderBy)
	}
	var less func(a, b sortKey) int
	switch field {
	case "created_at":
		less = func(a, b sortKey) int { return a.created.Compare(b.created) }
	case "updated_at":
		less = func(a, b sortKey) int { return a.updated.Compare(b.updated) }
	case "name":
		less = func(a, b sortKey) int { return strings.Compare(a.name, b.name) }
	case "status":
		less = func(a, b sortKey) int { return strings.Compare(a.status, b.status) }
	case "version":
		less = func(a, b sortKey) int {
			va, _ := parseVersion(a.version)
			vb, _ := parseVersion(b.version)
			switch {
			case va.less(vb):
				return -1
			case vb.less(va):
				return 1
			}
			return 0
		}
	default:
		return errInvalid("order_by", "constraint", "unknown order_by "+orderBy)
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := key(list[i]), key(list[j])
		c := less(a, b)
		if c == 0 {
			c = int(a.seq - b.seq)
			if a.seq < b.seq {
				c = -1
			} else if a.seq > b.seq {
				c = 1
			}
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	return nil
}
