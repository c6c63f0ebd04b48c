package emulator

import (
	"crypto/rand"
	"math/big"
	"net"
	"slices"
	"strings"
	"time"
)

var clusterStatuses = map[string]bool{"unknown": true, "creating": true, "ready": true, "deleting": true,
	"deleted": true, "updating": true, "locked": true, "pool_required": true}

func (s *Server) clusterFor(r *request) (*clusterRec, *apiError) {
	c := s.st.Clusters[r.param("cluster_id")]
	if c == nil || c.Region != r.region {
		return nil, errNotFound("cluster", r.param("cluster_id"))
	}
	return c, nil
}

// clusterWire is the served form, with upgrade_available computed against the catalog.
func (s *Server) clusterWire(c *clusterRec, now time.Time) Cluster {
	out := c.Cluster
	out.UpgradeAvailable = len(s.availableVersions(c.Version, now)) > 0
	return out
}

// mutableClusterFor is clusterFor for a change that needs a settled cluster (clusterMutable).
func (s *Server) mutableClusterFor(r *request) (*clusterRec, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := clusterMutable(c); aerr != nil {
		return nil, aerr
	}
	return c, nil
}

// unlockedClusterFor is clusterFor for a change only a locked cluster refuses (423).
func (s *Server) unlockedClusterFor(r *request) (*clusterRec, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if c.Status == "locked" {
		return nil, errLocked("cluster", c.ID)
	}
	return c, nil
}

// clusterMutable: 423 when locked, 409 in a transient state.
func clusterMutable(c *clusterRec) *apiError {
	switch c.Status {
	case "locked":
		return errLocked("cluster", c.ID)
	case "creating", "updating", "deleting":
		return errTransient("cluster", c.ID, c.Status)
	}
	return nil
}

func randomToken(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

func defaultAutoscaler() AutoscalerConfig {
	return AutoscalerConfig{ScaleDownDelayAfterAdd: "10m", Estimator: "binpacking", Expander: "random",
		ExpendablePodsPriorityCutoff: -10, ScaleDownUnneededTime: "10m", ScaleDownUtilizationThreshold: 0.5,
		MaxGracefulTerminationSec: 600, SkipNodesWithLocalStorage: true, LogLevel: 2}
}

var (
	validEstimators = map[string]bool{"binpacking": true}
	validExpanders  = map[string]bool{"random": true, "most_pods": true, "least_waste": true, "priority": true, "price": true}
	validDays       = map[string]bool{"any": true, "monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true}
)

// applyAutoscaler overlays a request on a config: null fields and unknown_* enums keep the current value.
func applyAutoscaler(a *AutoscalerConfig, r *autoscalerReq) *apiError {
	if r == nil {
		return nil
	}
	if r.Estimator != "" && r.Estimator != "unknown_estimator" {
		if !validEstimators[r.Estimator] {
			return errInvalid("autoscaler_config.estimator", "constraint", "unknown estimator")
		}
		a.Estimator = r.Estimator
	}
	if r.Expander != "" && r.Expander != "unknown_expander" {
		if !validExpanders[r.Expander] {
			return errInvalid("autoscaler_config.expander", "constraint", "unknown expander")
		}
		a.Expander = r.Expander
	}
	setB := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	setS := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setB(&a.ScaleDownDisabled, r.ScaleDownDisabled)
	setS(&a.ScaleDownDelayAfterAdd, r.ScaleDownDelayAfterAdd)
	setB(&a.IgnoreDaemonsetsUtilization, r.IgnoreDaemonsetsUtilization)
	setB(&a.BalanceSimilarNodeGroups, r.BalanceSimilarNodeGroups)
	if r.ExpendablePodsPriorityCutoff != nil {
		a.ExpendablePodsPriorityCutoff = *r.ExpendablePodsPriorityCutoff
	}
	setS(&a.ScaleDownUnneededTime, r.ScaleDownUnneededTime)
	if v := r.ScaleDownUtilizationThreshold; v != nil {
		if *v < 0 || *v > 1 {
			return errInvalid("autoscaler_config.scale_down_utilization_threshold", "constraint", "must be between 0 and 1")
		}
		a.ScaleDownUtilizationThreshold = *v
	}
	if r.MaxGracefulTerminationSec != nil {
		a.MaxGracefulTerminationSec = *r.MaxGracefulTerminationSec
	}
	setB(&a.SkipNodesWithLocalStorage, r.SkipNodesWithLocalStorage)
	if r.LogLevel != nil {
		a.LogLevel = *r.LogLevel
	}
	return nil
}

func applyAutoUpgrade(a *AutoUpgrade, r *autoUpgradeReq) *apiError {
	if r == nil {
		return nil
	}
	if r.Enable != nil {
		a.Enabled = *r.Enable
	}
	if w := r.MaintenanceWindow; w != nil {
		if w.StartHour != nil {
			if *w.StartHour > 23 {
				return errInvalid("auto_upgrade.maintenance_window.start_hour", "constraint", "must be between 0 and 23")
			}
			a.MaintenanceWindow.StartHour = *w.StartHour
		}
		if w.Day != "" {
			if !validDays[w.Day] {
				return errInvalid("auto_upgrade.maintenance_window.day", "constraint", "unknown day")
			}
			a.MaintenanceWindow.Day = w.Day
		}
	}
	return nil
}

func applyOIDC(o *OIDCConfig, r *oidcReq) {
	if r == nil {
		return
	}
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&o.IssuerURL, r.IssuerURL}, {&o.ClientID, r.ClientID}, {&o.UsernameClaim, r.UsernameClaim},
		{&o.UsernamePrefix, r.UsernamePrefix}, {&o.GroupsPrefix, r.GroupsPrefix}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if r.GroupsClaim != nil {
		o.GroupsClaim = orEmpty(*r.GroupsClaim)
	}
	if r.RequiredClaim != nil {
		o.RequiredClaim = orEmpty(*r.RequiredClaim)
	}
}

func (s *Server) handleCreateCluster(r *request) (any, *apiError) {
	var req createClusterReq
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	project := req.ProjectID
	if project == "" {
		project = req.OrganizationID
	}
	if project == "" {
		return nil, errInvalid("project_id", "required", "project_id or organization_id is required")
	}
	if req.Type == "" {
		req.Type = "kapsule"
	}
	if _, _, ok := clusterTypeByName(req.Type); !ok {
		return nil, errInvalid("type", "constraint", "unknown cluster type "+req.Type)
	}
	v, ok := s.catalogEntry(req.Version)
	if ok && v.released(r.now) && v.deprecated(r.now) {
		return nil, errDeprecatedVersion(v)
	}
	if !ok || !s.offered(v, r.now) {
		return nil, errInvalid("version", "constraint", "version "+req.Version+" is not available for cluster creation")
	}
	cni := req.Cni
	if cni == "" || cni == "unknown_cni" {
		cni = "cilium"
		if isMulticloud(req.Type) {
			cni = "kilo"
		}
	}
	if !slices.Contains(versionCNIs(req.Version), cni) {
		return nil, errInvalid("cni", "constraint", "cni "+cni+" is not available for version "+req.Version)
	}
	if req.Name == "" {
		req.Name = "k8s-" + strings.ToLower(randomToken(8))
	}
	if s.opts.Quotas.Clusters > 0 {
		n := 0
		for _, c := range s.st.Clusters {
			if c.ProjectID == project && c.Region == r.region {
				n++
			}
		}
		if n >= s.opts.Quotas.Clusters {
			return nil, errQuota("k8s_cluster", s.opts.Quotas.Clusters, n)
		}
	}
	var pn *string
	autoPN := false
	if req.PrivateNetworkID != nil && *req.PrivateNetworkID != "" {
		if isMulticloud(req.Type) {
			return nil, errInvalid("private_network_id", "constraint", "private network is not supported for multicloud clusters")
		}
		if aerr := s.checkPrivateNetwork(r.region, req.PrivateNetworkID); aerr != nil {
			return nil, aerr
		}
		pn = req.PrivateNetworkID
	} else if !isMulticloud(req.Type) {
		if s.opts.RequirePrivateNetwork {
			return nil, errInvalid("private_network_id", "required", "a private network is required for Kapsule clusters")
		}
		autoPN = true // created once everything else is validated
	}
	auto := defaultAutoscaler()
	if aerr := applyAutoscaler(&auto, req.AutoscalerConfig); aerr != nil {
		return nil, aerr
	}
	au := AutoUpgrade{MaintenanceWindow: MaintenanceWindow{Day: "any"}}
	if aerr := applyAutoUpgrade(&au, req.AutoUpgrade); aerr != nil {
		return nil, aerr
	}
	oidc := OIDCConfig{GroupsClaim: []string{}, RequiredClaim: []string{}}
	applyOIDC(&oidc, req.OpenIDConnectConfig)
	strOr := func(p *string, d string) string {
		if p == nil || *p == "" {
			return d
		}
		return *p
	}
	serviceCIDR := strOr(req.ServiceCidr, "10.32.0.0/20")
	serviceDNSIP, aerr := defaultServiceDNSIP(serviceCIDR)
	if aerr != nil {
		return nil, aerr
	}
	id := s.newID()
	c := &clusterRec{
		Cluster: Cluster{
			Region: r.region, ID: id, OrganizationID: project, ProjectID: project, CreatedAt: r.now, UpdatedAt: r.now,
			Type: req.Type, Name: req.Name, Description: req.Description, Status: "creating", Version: req.Version,
			Cni: cni, Tags: orEmpty(req.Tags),
			ClusterURL:       "https://" + id + ".api.k8s." + r.region + ".scw.cloud:6443",
			DNSWildcard:      "*." + id + ".nodes.k8s." + r.region + ".scw.cloud",
			AutoscalerConfig: auto, AutoUpgrade: au, FeatureGates: orEmpty(req.FeatureGates),
			AdmissionPlugins: orEmpty(req.AdmissionPlugins), OpenIDConnectConfig: oidc,
			ApiserverCertSans: orEmpty(req.ApiserverCertSans), PrivateNetworkID: pn,
			CommitmentEndsAt: r.now, ACLAvailable: true,
			PodCidr: strOr(req.PodCidr, "100.64.0.0/15"), ServiceCidr: serviceCIDR,
			ServiceDNSIP: strOr(req.ServiceDNSIP, serviceDNSIP), NewImagesEnabled: true,
		},
		Seq: s.st.nextSeq(), Due: r.now.Add(s.opts.Dwell.ClusterCreate), Token: randomToken(54),
	}
	if isDedicated(c.Type) {
		c.CommitmentEndsAt = r.now.Add(30 * 24 * time.Hour)
	}
	// validate every inline pool before creating anything
	names := map[string]bool{}
	pools := make([]*poolRec, 0, len(req.Pools))
	total := 0
	for i := range req.Pools {
		p, aerr := s.buildPool(c, &req.Pools[i], r.now)
		if aerr != nil {
			return nil, aerr
		}
		if aerr := s.checkNodeType(p.Zone, p.NodeType, true); aerr != nil {
			return nil, aerr
		}
		if names[p.Name] {
			return nil, errInvalid("name", "constraint", "pool name must be unique across the cluster")
		}
		names[p.Name] = true
		total += int(p.Size)
		pools = append(pools, p)
	}
	if q := s.opts.Quotas.PoolsPerCluster; q > 0 && len(pools) > q {
		return nil, errQuota("k8s_pool", q, 0)
	}
	if q := s.opts.Quotas.NodesPerCluster; q > 0 && total > q {
		return nil, errQuota("k8s_node", q, 0)
	}
	if aerr := s.checkProjectNodes(project, "", total); aerr != nil {
		return nil, aerr
	}
	if autoPN {
		pnID := s.createPN(r.region, project, "pn-"+req.Name, []string{"created-along-with-k8s-cluster"}, r.now).ID
		c.PrivateNetworkID = &pnID
		for _, p := range pools {
			p.PrivateNetworkID = c.PrivateNetworkID
		}
	}
	s.st.Clusters[id] = c
	s.st.ACLs[id] = []ACLRule{{ID: s.newID(), IP: "0.0.0.0/0", Description: "Automatically generated"}}
	for _, p := range pools {
		s.insertPool(p, r.now)
	}
	s.touch()
	return s.clusterWire(c, r.now), nil
}

func (s *Server) handleGetCluster(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	return s.clusterWire(c, r.now), nil
}

func (s *Server) handleListClusters(r *request) (any, *apiError) {
	q := r.query
	status := q.Get("status")
	if status != "" && !clusterStatuses[status] {
		return nil, errInvalid("status", "constraint", "unknown status "+status)
	}
	var list []*clusterRec
	for _, c := range s.st.Clusters {
		if c.Region != r.region ||
			q.Get("project_id") != "" && c.ProjectID != q.Get("project_id") ||
			q.Get("organization_id") != "" && c.OrganizationID != q.Get("organization_id") ||
			q.Get("name") != "" && !strings.Contains(c.Name, q.Get("name")) ||
			status != "" && status != "unknown" && c.Status != status ||
			q.Get("type") != "" && c.Type != q.Get("type") ||
			q.Get("version") != "" && !strings.HasPrefix(c.Version, q.Get("version")) {
			continue
		}
		if pn := q.Get("private_network_id"); pn != "" && (c.PrivateNetworkID == nil || *c.PrivateNetworkID != pn) {
			continue
		}
		list = append(list, c)
	}
	if aerr := sortRecs(list, q.Get("order_by"), func(c *clusterRec) sortKey {
		return sortKey{c.CreatedAt, c.UpdatedAt, c.Name, c.Status, c.Version, c.Seq}
	}); aerr != nil {
		return nil, aerr
	}
	page, aerr := paginate(r, len(list), s.opts.DefaultPageSize)
	if aerr != nil {
		return nil, aerr
	}
	out := make([]Cluster, 0, page.hi-page.lo)
	for _, c := range list[page.lo:page.hi] {
		out = append(out, s.clusterWire(c, r.now))
	}
	return map[string]any{"total_count": len(list), "clusters": out}, nil
}

func (s *Server) handleUpdateCluster(r *request) (any, *apiError) {
	c, aerr := s.mutableClusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	var req updateClusterReq
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	next := c.Cluster
	if req.Name != nil {
		if *req.Name == "" {
			return nil, errInvalid("name", "constraint", "name must not be empty")
		}
		next.Name = *req.Name
	}
	if req.Description != nil {
		next.Description = *req.Description
	}
	if req.Tags != nil {
		next.Tags = orEmpty(*req.Tags)
	}
	if req.FeatureGates != nil {
		next.FeatureGates = orEmpty(*req.FeatureGates)
	}
	if req.AdmissionPlugins != nil {
		next.AdmissionPlugins = orEmpty(*req.AdmissionPlugins)
	}
	if req.ApiserverCertSans != nil {
		next.ApiserverCertSans = orEmpty(*req.ApiserverCertSans)
	}
	if aerr := applyAutoscaler(&next.AutoscalerConfig, req.AutoscalerConfig); aerr != nil {
		return nil, aerr
	}
	if aerr := applyAutoUpgrade(&next.AutoUpgrade, req.AutoUpgrade); aerr != nil {
		return nil, aerr
	}
	applyOIDC(&next.OpenIDConnectConfig, req.OpenIDConnectConfig)
	c.Cluster = next
	c.Status, c.UpdatedAt, c.Due = "updating", r.now, r.now.Add(s.opts.Dwell.ClusterUpdate)
	s.touch()
	return s.clusterWire(c, r.now), nil
}

func (s *Server) handleDeleteCluster(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	if c.Status == "deleting" {
		return s.clusterWire(c, r.now), nil
	}
	if c.Status == "locked" {
		return nil, errLocked("cluster", c.ID)
	}
	c.Status, c.UpdatedAt, c.Due = "deleting", r.now, r.now.Add(s.opts.Dwell.ClusterDelete)
	c.UpgradePools = false
	for _, p := range s.st.poolsOf(c.ID) {
		p.Status, p.UpdatedAt, p.Due = "deleting", r.now, time.Time{}
		for _, n := range s.st.nodesOf(p.ID) {
			if n.Status != "deleting" {
				n.Status, n.UpdatedAt, n.Due = "deleting", r.now, time.Time{}
				n.Conditions = map[string]string{"Ready": "False"}
				s.kubeNotReady(n)
			}
		}
	}
	if r.query.Get("with_additional_resources") == "true" && c.PrivateNetworkID != nil {
		// the private network goes too unless another cluster still uses it
		inUse := false
		for _, o := range s.st.Clusters {
			inUse = inUse || o.ID != c.ID && o.PrivateNetworkID != nil && *o.PrivateNetworkID == *c.PrivateNetworkID
		}
		if !inUse {
			delete(s.st.PNs, *c.PrivateNetworkID)
		}
	}
	s.touch()
	return s.clusterWire(c, r.now), nil
}

func (s *Server) handleUpgradeCluster(r *request) (any, *apiError) {
	c, aerr := s.mutableClusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	var req struct {
		Version      string `json:"version"`
		UpgradePools bool   `json:"upgrade_pools"`
	}
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkUpgrade(c, req.Version, r.now); aerr != nil {
		return nil, aerr
	}
	target, _ := parseVersion(req.Version)
	if !req.UpgradePools {
		for _, p := range s.st.poolsOf(c.ID) {
			pv, ok := parseVersion(p.Version)
			if ok && target[1]-pv[1] > 3 {
				return nil, errPrecondition("unknown_precondition", "pool "+p.Name+" would exceed the supported version skew; upgrade pools first")
			}
		}
	}
	c.Version = req.Version
	c.UpgradePools = req.UpgradePools
	c.Status, c.UpdatedAt, c.Due = "updating", r.now, r.now.Add(s.opts.Dwell.ClusterUpgrade)
	s.touch()
	return s.clusterWire(c, r.now), nil
}

// checkUpgrade accepts only a higher patch of the same minor or the next minor's version.
func (s *Server) checkUpgrade(c *clusterRec, version string, now time.Time) *apiError {
	target, ok := parseVersion(version)
	if !ok {
		return errInvalid("version", "format", "version must be x.y.z")
	}
	cur, _ := parseVersion(c.Version)
	if !cur.less(target) {
		return errInvalid("version", "constraint", "downgrades and same-version upgrades are not supported (current "+c.Version+")")
	}
	if v, ok := s.catalogEntry(version); ok && v.released(now) && v.deprecated(now) {
		return errDeprecatedVersion(v)
	}
	for _, v := range s.availableVersions(c.Version, now) {
		if v.Name == version {
			return nil
		}
	}
	return errInvalid("version", "constraint", "upgrade from "+c.Version+" to "+version+" is not supported: only a higher patch of the same minor or the next minor version is allowed")
}

func (s *Server) handleSetClusterType(r *request) (any, *apiError) {
	c, aerr := s.mutableClusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	var req struct {
		Type string `json:"type"`
	}
	if aerr := decode(r, &req); aerr != nil {
		return nil, aerr
	}
	if req.Type == c.Type {
		return nil, errInvalid("type", "constraint", "cluster is already of type "+req.Type)
	}
	allowed := false
	for _, t := range s.availableTypes(c, r.now) {
		allowed = allowed || t.Name == req.Type
	}
	if !allowed {
		return nil, errInvalid("type", "constraint", "type "+req.Type+" is not available for this cluster")
	}
	t, _, _ := clusterTypeByName(req.Type)
	c.Type = req.Type
	if t.Dedicated {
		c.CommitmentEndsAt = r.now.Add(30 * 24 * time.Hour)
	}
	c.Status, c.UpdatedAt, c.Due = "updating", r.now, r.now.Add(s.opts.Dwell.ClusterUpdate)
	s.touch()
	return s.clusterWire(c, r.now), nil
}

func (s *Server) handleAvailableVersions(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	out := []Version{}
	for _, v := range s.availableVersions(c.Version, r.now) {
		out = append(out, s.versionWire(r.region, v))
	}
	return map[string]any{"versions": out}, nil
}

func (s *Server) handleAvailableTypes(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	ts := s.availableTypes(c, r.now)
	return map[string]any{"cluster_types": ts, "total_count": len(ts)}, nil
}

func (s *Server) handleResetAdminToken(r *request) (any, *apiError) {
	c, aerr := s.unlockedClusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	c.Token = randomToken(54)
	return map[string]any{}, nil
}

// defaultServiceDNSIP is the cluster DNS address when none is given: the tenth address of the
// service CIDR (recording cluster-networking: 10.12.0.0/16 gave 10.12.0.10, the default
// 10.32.0.0/20 gives 10.32.0.10).
func defaultServiceDNSIP(serviceCIDR string) (string, *apiError) {
	_, n, err := net.ParseCIDR(serviceCIDR)
	if err != nil {
		return "", errInvalid("service_cidr", "format", "service_cidr must be a CIDR")
	}
	ip := append(net.IP{}, n.IP...)
	for i, carry := len(ip)-1, 10; i >= 0 && carry > 0; i-- {
		sum := int(ip[i]) + carry
		ip[i], carry = byte(sum), sum>>8
	}
	if !n.Contains(ip) {
		return "", errInvalid("service_cidr", "constraint", "service_cidr is too small")
	}
	return ip.String(), nil
}
