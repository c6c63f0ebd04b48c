package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

var poolStatuses = map[string]bool{"unknown": true, "ready": true, "deleting": true, "deleted": true,
	"scaling": true, "warning": true, "locked": true, "upgrading": true}

// normalizeNodeType turns "PRO2-XXS" into "pro2_xxs", as the API does.
func normalizeNodeType(t string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(t)), "-", "_")
}

// localVolumeSizes are the local SSD sizes of instance types whose default root volume is l_ssd.
var localVolumeSizes = map[string]uint64{
	"dev1_s": 20e9, "dev1_m": 40e9, "dev1_l": 80e9, "dev1_xl": 120e9,
	"gp1_xs": 150e9, "gp1_s": 300e9, "gp1_m": 600e9, "gp1_l": 600e9, "gp1_xl": 600e9,
}

func usesLocalVolume(nodeType string) bool {
	_, ok := localVolumeSizes[nodeType]
	return ok || strings.HasPrefix(nodeType, "dev1_") || strings.HasPrefix(nodeType, "gp1_") ||
		strings.HasPrefix(nodeType, "stardust") || strings.HasPrefix(nodeType, "start1_")
}

// defaultSecurityGroup is the zone's "Kapsule default security group" for a project (stable id).
func defaultSecurityGroup(project, zone string) string {
	h := sha256.Sum256([]byte("sg/" + project + "/" + zone))
	u, _ := uuid.FromBytes(h[:16])
	return u.String()
}

var validEffects = map[string]bool{"NoSchedule": true, "PreferNoSchedule": true, "NoExecute": true}

func validateTaints(arg string, ts []Taint) *apiError {
	for _, t := range ts {
		if t.Key == "" {
			return errInvalid(arg, "required", "taint key is required")
		}
		if !validEffects[t.Effect] {
			return errInvalid(arg, "constraint", "taint effect must be NoSchedule, PreferNoSchedule or NoExecute")
		}
	}
	return nil
}

func (s *Server) validateKubeletArgs(version string, args map[string]string) *apiError {
	v, ok := s.catalogEntry(version)
	if !ok {
		return nil
	}
	allowed := s.versionWire("", v).AvailableKubeletArgs
	var refused []string
	for k := range args {
		if _, ok := allowed[k]; !ok {
			refused = append(refused, k)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	// one detail per argument, as the real API answers (crossplane-provider-scaleway#194)
	sort.Strings(refused)
	details := make([]map[string]any, 0, len(refused))
	for _, k := range refused {
		details = append(details, map[string]any{"argument_name": "kubelet_args." + k, "reason": "constraint",
			"help_message": "kubelet argument " + k + " is not available for this version"})
	}
	aerr := errInvalid("kubelet_args", "constraint", "")
	aerr.body["details"] = details
	return aerr
}

// buildPool validates a create request and fills the defaults (docs/scaleway-k8s-api.md §2.2, §9.6). It does not insert.
func (s *Server) buildPool(c *clusterRec, req *createPoolReq, now time.Time) (*poolRec, *apiError) {
	name := req.Name
	if name == "" {
		name = "pool-" + strings.ToLower(randomToken(5))
	}
	nodeType := normalizeNodeType(req.NodeType)
	if nodeType == "" {
		return nil, errInvalid("node_type", "required", "node_type is required")
	}
	zone := req.Zone
	if zone == "" {
		zone = regionZones[c.Region][0]
	}
	if zr := zoneRegion(zone); zr == "" || !isMulticloud(c.Type) && zr != c.Region {
		return nil, errInvalid("zone", "constraint", "zone "+zone+" is not in region "+c.Region)
	}
	if nodeType == "external" && !isMulticloud(c.Type) {
		return nil, errInvalid("node_type", "constraint", "external pools are only available on multicloud clusters")
	}
	if aerr := s.checkNodeType(zone, nodeType, false); aerr != nil {
		return nil, aerr
	}
	size := req.Size
	minSize, maxSize := size, size
	if req.Autoscaling {
		minSize = 0
		if size > 0 {
			minSize = 1
		}
		if req.MinSize != nil {
			minSize = *req.MinSize
		}
		if req.MaxSize != nil {
			maxSize = *req.MaxSize
		}
		if minSize > maxSize || size < minSize || size > maxSize {
			return nil, errInvalid("size", "constraint", "size must be within [min_size, max_size]")
		}
	}
	runtime := req.ContainerRuntime
	if runtime == "" || runtime == "unknown_runtime" {
		runtime = "containerd"
	}
	if runtime != "containerd" {
		return nil, errInvalid("container_runtime", "constraint", "only containerd is supported")
	}
	vol := req.RootVolumeType
	switch vol {
	case "", "default_volume_type":
		vol = "sbs_5k"
		if usesLocalVolume(nodeType) {
			vol = "l_ssd"
		}
	case "b_ssd":
		vol = "sbs_5k"
	case "l_ssd", "sbs_5k", "sbs_15k":
	default:
		return nil, errInvalid("root_volume_type", "constraint", "unknown root volume type "+vol)
	}
	var volSize uint64 = 20e9
	if vol == "l_ssd" {
		if v, ok := localVolumeSizes[nodeType]; ok {
			volSize = v
		}
	}
	if req.RootVolumeSize != nil && *req.RootVolumeSize > 0 {
		volSize = *req.RootVolumeSize
	}
	policy := UpgradePolicy{MaxUnavailable: 1}
	if up := req.UpgradePolicy; up != nil {
		if up.MaxUnavailable != nil {
			policy.MaxUnavailable = *up.MaxUnavailable
		}
		if up.MaxSurge != nil {
			policy.MaxSurge = *up.MaxSurge
		}
	}
	if aerr := validateTaints("taints", req.Taints); aerr != nil {
		return nil, aerr
	}
	if aerr := validateTaints("startup_taints", req.StartupTaints); aerr != nil {
		return nil, aerr
	}
	if aerr := s.validateKubeletArgs(c.Version, req.KubeletArgs); aerr != nil {
		return nil, aerr
	}
	grace, aerr := parseGraceSeconds(req.MaxTerminationGracePeriod)
	if aerr != nil {
		return nil, aerr
	}
	sg := defaultSecurityGroup(c.ProjectID, zone)
	if req.SecurityGroupID != nil && *req.SecurityGroupID != "" {
		sg = *req.SecurityGroupID
	}
	if aerr := s.checkPrivateNetwork(c.Region, req.PrivateNetworkID); aerr != nil {
		return nil, aerr
	}
	pn := req.PrivateNetworkID
	if pn == nil && !isMulticloud(c.Type) {
		pn = c.PrivateNetworkID
	}
	return &poolRec{
		Pool: Pool{
			Region: c.Region, ID: s.newID(), ClusterID: c.ID, CreatedAt: now, UpdatedAt: now, Name: name,
			Status: "scaling", Version: c.Version, NodeType: nodeType, Autoscaling: req.Autoscaling,
			Size: size, MinSize: minSize, MaxSize: maxSize, ContainerRuntime: runtime, Autohealing: req.Autohealing,
			Tags: orEmpty(req.Tags), PlacementGroupID: req.PlacementGroupID, KubeletArgs: orEmptyMap(req.KubeletArgs),
			UpgradePolicy: policy, Zone: zone, RootVolumeType: vol, RootVolumeSize: volSize,
			PublicIPDisabled: req.PublicIPDisabled, SecurityGroupID: sg, Labels: orEmptyMap(req.Labels),
			Taints: orEmptyTaints(req.Taints), StartupTaints: orEmptyTaints(req.StartupTaints),
			PrivateNetworkID: pn, MaxTerminationGracePeriod: grace, NewImagesEnabled: true,
		},
		UserData: req.UserData,
	}, nil
}

func parseGraceSeconds(p *string) (string, *apiError) {
	if p == nil || *p == "" {
		return "900s", nil
	}
	d, err := time.ParseDuration(*p)
	if err != nil || d < 0 || d > time.Hour {
		return "", errInvalid("max_termination_grace_period", "constraint", "must be a duration between 0s and 1h")
	}
	return formatSeconds(d), nil
}

func formatSeconds(d time.Duration) string { return fmt.Sprintf("%ds", int64(d/time.Second)) }

// insertPool stores a built pool and starts provisioning its nodes.
func (s *Server) insertPool(p *poolRec, now time.Time) {
	p.Seq = s.st.nextSeq()
	s.st.Pools[p.ID] = p
	s.scalePool(p, now)
}

func (s *Server) poolFor(r *request) (*poolRec, *apiError) {
	p := s.st.Pools[r.param("pool_id")]
	if p == nil || p.Region != r.region {
		return nil, errNotFound("pool", r.param("pool_id"))
	}
	return p, nil
}

func (s *Server) nodeCount(clusterID string, except string) int {
	n := 0
	for _, p := range s.st.poolsOf(clusterID) {
		if p.ID != except && p.Status != "deleting" {
			n += int(p.Size)
		}
	}
	return n
}

// checkProjectNodes refuses to bring a project's node count (pool sizes, every cluster) over the
// NodesPerProject quota when a pool (except, if not "") gets size nodes.
func (s *Server) checkProjectNodes(project, except string, size int) *apiError {
	q := s.opts.Quotas.NodesPerProject
	if q <= 0 {
		return nil
	}
	cur := 0
	for _, p := range s.st.Pools {
		if c := s.st.Clusters[p.ClusterID]; c != nil && c.ProjectID == project && p.ID != except && p.Status != "deleting" {
			cur += int(p.Size)
		}
	}
	if cur+size > q {
		return errQuota("instances", q, cur)
	}
	return nil
}

func (s *Server) handleCreatePool(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	switch c.Status {
	case "locked":
		return nil, errLocked("cluster", c.ID)
	case "creating", "deleting":
		return nil, errTransient("cluster", c.ID, c.Status)
	}
	var req createPoolReq
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	p, aerr := s.buildPool(c, &req, r.now)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkNodeType(p.Zone, p.NodeType, true); aerr != nil {
		return nil, aerr
	}
	existing := s.st.poolsOf(c.ID)
	for _, o := range existing {
		if o.Name == p.Name {
			return nil, errInvalid("name", "constraint", "pool name must be unique across the cluster")
		}
	}
	if q := s.opts.Quotas.PoolsPerCluster; q > 0 && len(existing) >= q {
		return nil, errQuota("k8s_pool", q, len(existing))
	}
	if q := s.opts.Quotas.NodesPerCluster; q > 0 {
		if cur := s.nodeCount(c.ID, ""); cur+int(p.Size) > q {
			return nil, errQuota("k8s_node", q, cur)
		}
	}
	if aerr := s.checkProjectNodes(c.ProjectID, "", int(p.Size)); aerr != nil {
		return nil, aerr
	}
	s.insertPool(p, r.now)
	return p.Pool, nil
}

func (s *Server) handleGetPool(r *request) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	return p.Pool, nil
}

func (s *Server) handleListPools(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	name, status := r.query.Get("name"), r.query.Get("status")
	if status != "" && !poolStatuses[status] {
		return nil, errInvalid("status", "constraint", "unknown status "+status)
	}
	var list []*poolRec
	for _, p := range s.st.poolsOf(c.ID) {
		if name != "" && !strings.Contains(p.Name, name) || status != "" && status != "unknown" && p.Status != status {
			continue
		}
		list = append(list, p)
	}
	if aerr := sortRecs(list, r.query.Get("order_by"), func(p *poolRec) sortKey {
		return sortKey{p.CreatedAt, p.UpdatedAt, p.Name, p.Status, p.Version, p.Seq}
	}); aerr != nil {
		return nil, aerr
	}
	page, aerr := paginate(r, len(list), s.opts.DefaultPageSize)
	if aerr != nil {
		return nil, aerr
	}
	out := []Pool{}
	for _, p := range list[page.lo:page.hi] {
		out = append(out, p.Pool)
	}
	return map[string]any{"total_count": len(list), "pools": out}, nil
}

func poolLockedOrGone(p *poolRec, c *clusterRec) *apiError {
	if c != nil && c.Status == "locked" {
		return errLocked("cluster", c.ID)
	}
	if p.Status == "locked" {
		return errLocked("pool", p.ID)
	}
	if p.Status == "deleting" {
		return errTransient("pool", p.ID, p.Status)
	}
	return nil
}

func (s *Server) handleUpdatePool(r *request) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	c := s.st.Clusters[p.ClusterID]
	if aerr := poolLockedOrGone(p, c); aerr != nil {
		return nil, aerr
	}
	var req updatePoolReq
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	next := p.Pool
	if req.Autoscaling != nil {
		next.Autoscaling = *req.Autoscaling
	}
	if req.Size != nil {
		next.Size = *req.Size
	}
	if req.MinSize != nil {
		next.MinSize = *req.MinSize
	}
	if req.MaxSize != nil {
		next.MaxSize = *req.MaxSize
	}
	if next.Autoscaling {
		if next.MinSize > next.MaxSize {
			return nil, errInvalid("min_size", "constraint", "min_size must not exceed max_size")
		}
		if req.Size != nil && (next.Size < next.MinSize || next.Size > next.MaxSize) {
			return nil, errInvalid("size", "constraint", "size must be within [min_size, max_size]")
		}
		// the autoscaler keeps size within bounds
		if next.Size < next.MinSize {
			next.Size = next.MinSize
		}
		if next.Size > next.MaxSize {
			next.Size = next.MaxSize
		}
	} else {
		next.MinSize, next.MaxSize = next.Size, next.Size
	}
	if req.Autohealing != nil {
		next.Autohealing = *req.Autohealing
	}
	if req.Tags != nil {
		next.Tags = orEmpty(*req.Tags)
	}
	if req.KubeletArgs != nil {
		if aerr := s.validateKubeletArgs(next.Version, *req.KubeletArgs); aerr != nil {
			return nil, aerr
		}
		next.KubeletArgs = orEmptyMap(*req.KubeletArgs)
	}
	if up := req.UpgradePolicy; up != nil {
		if up.MaxUnavailable != nil {
			next.UpgradePolicy.MaxUnavailable = *up.MaxUnavailable
		}
		if up.MaxSurge != nil {
			next.UpgradePolicy.MaxSurge = *up.MaxSurge
		}
	}
	if req.SecurityGroupID != nil && *req.SecurityGroupID != "" {
		next.SecurityGroupID = *req.SecurityGroupID
	}
	if req.MaxTerminationGracePeriod != nil {
		g, aerr := parseGraceSeconds(req.MaxTerminationGracePeriod)
		if aerr != nil {
			return nil, aerr
		}
		next.MaxTerminationGracePeriod = g
	}
	sizeChanged := next.Size != p.Size
	if sizeChanged {
		if p.Status == "upgrading" {
			return nil, errTransient("pool", p.ID, p.Status)
		}
		if q := s.opts.Quotas.NodesPerCluster; q > 0 && next.Size > p.Size {
			if cur := s.nodeCount(p.ClusterID, p.ID); cur+int(next.Size) > q {
				return nil, errQuota("k8s_node", q, cur+int(p.Size))
			}
		}
		if next.Size > p.Size {
			if aerr := s.checkNodeType(p.Zone, p.NodeType, true); aerr != nil {
				return nil, aerr
			}
			if c != nil {
				if aerr := s.checkProjectNodes(c.ProjectID, p.ID, int(next.Size)); aerr != nil {
					return nil, aerr
				}
			}
		}
	}
	next.UpdatedAt = r.now
	p.Pool = next
	if sizeChanged {
		s.scalePool(p, r.now)
	}
	s.touch()
	return p.Pool, nil
}

func (s *Server) handleDeletePool(r *request) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if p.Status == "deleting" {
		return p.Pool, nil
	}
	if c := s.st.Clusters[p.ClusterID]; c != nil && c.Status == "locked" || p.Status == "locked" {
		return nil, errLocked("pool", p.ID)
	}
	p.Status, p.UpdatedAt, p.Due = "deleting", r.now, r.now.Add(s.opts.Dwell.PoolDelete)
	for _, n := range s.st.nodesOf(p.ID) {
		if n.Status != "deleting" {
			s.startNodeDelete(n, r.now)
			n.Due = time.Time{} // removed with the pool
		}
	}
	s.touch()
	return p.Pool, nil
}

func (s *Server) handleUpgradePool(r *request) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	c := s.st.Clusters[p.ClusterID]
	if aerr := poolLockedOrGone(p, c); aerr != nil {
		return nil, aerr
	}
	if p.Status == "upgrading" {
		return nil, errTransient("pool", p.ID, p.Status)
	}
	var req struct {
		Version string `json:"version"`
	}
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	target, ok := parseVersion(req.Version)
	if !ok {
		return nil, errInvalid("version", "format", "version must be x.y.z")
	}
	if req.Version != c.Version {
		return nil, errInvalid("version", "constraint", "pool version must match the cluster version "+c.Version)
	}
	cur, _ := parseVersion(p.Version)
	if !cur.less(target) {
		return nil, errInvalid("version", "constraint", "pool is already at version "+p.Version)
	}
	s.startPoolUpgrade(p, req.Version, r.now)
	return p.Pool, nil
}

func (s *Server) setPoolField(r *request, apply func(p *poolRec, body []byte) *apiError) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := poolLockedOrGone(p, s.st.Clusters[p.ClusterID]); aerr != nil {
		return nil, aerr
	}
	if aerr := apply(p, r.body); aerr != nil {
		return nil, aerr
	}
	p.UpdatedAt = r.now
	s.kubeRelabelPool(p)
	s.touch()
	return p.Pool, nil
}

func (s *Server) handleSetLabels(r *request) (any, *apiError) {
	return s.setPoolField(r, func(p *poolRec, _ []byte) *apiError {
		var req struct {
			Labels map[string]string `json:"labels"`
		}
		if aerr := decode(r, &req); aerr != nil {
			return aerr
		}
		p.Labels = orEmptyMap(req.Labels)
		return nil
	})
}

func (s *Server) handleSetTaints(r *request) (any, *apiError) {
	return s.setPoolField(r, func(p *poolRec, _ []byte) *apiError {
		var req struct {
			Taints []Taint `json:"taints"`
		}
		if aerr := decode(r, &req); aerr != nil {
			return aerr
		}
		if aerr := validateTaints("taints", req.Taints); aerr != nil {
			return aerr
		}
		p.Taints = orEmptyTaints(req.Taints)
		return nil
	})
}

func (s *Server) handleSetStartupTaints(r *request) (any, *apiError) {
	return s.setPoolField(r, func(p *poolRec, _ []byte) *apiError {
		var req struct {
			StartupTaints []Taint `json:"startup_taints"`
		}
		if aerr := decode(r, &req); aerr != nil {
			return aerr
		}
		if aerr := validateTaints("startup_taints", req.StartupTaints); aerr != nil {
			return aerr
		}
		p.StartupTaints = orEmptyTaints(req.StartupTaints)
		return nil
	})
}

func (s *Server) handleListUserData(r *request) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	keys := make([]string, 0, len(p.UserData))
	for k := range p.UserData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []map[string]string{}
	for _, k := range keys {
		out = append(out, map[string]string{"key": k})
	}
	return map[string]any{"user_data": out}, nil
}

func (s *Server) handleGetUserData(r *request) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	v, ok := p.UserData[r.param("key")]
	if !ok {
		return nil, errNotFound("user_data", r.param("key"))
	}
	return map[string]any{"name": r.param("key"), "content_type": "application/octet-stream",
		"content": base64.StdEncoding.EncodeToString(v)}, nil
}

func (s *Server) handleExternalNodeAuth(r *request) (any, *apiError) {
	p, aerr := s.poolFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if p.NodeType != "external" {
		return nil, errInvalid("pool_id", "constraint", "pool is not an external pool")
	}
	return map[string]any{"node_secret_key": randomToken(40),
		"metadata_url": "https://" + p.ClusterID + ".api.k8s." + p.Region + ".scw.cloud/node-metadata"}, nil
}
