package emulator

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Regions and their zones (SDK scw/locality.go).
var regionZones = map[string][]string{
	"fr-par": {"fr-par-1", "fr-par-2", "fr-par-3"},
	"nl-ams": {"nl-ams-1", "nl-ams-2", "nl-ams-3"},
	"pl-waw": {"pl-waw-1", "pl-waw-2", "pl-waw-3"},
	"it-mil": {"it-mil-1"},
}

// Server is the emulator. Create it with New; serve Handler().
type Server struct {
	opts    Options
	catalog []CatalogVersion // newest first

	nodeTypes NodeTypeCatalog // per zone; stock changes through SetNodeTypeAvailability (under mu)

	mu     sync.Mutex
	st     *state
	dirty  bool      // next-due cache is stale
	minDue time.Time // earliest pending transition (zero: none)
	faults faultState
	reqlog requestLog
	kops   []kubeOp // kube operations produced under mu, applied in order after it

	kubeMu sync.Mutex
	kube   *kubeSync

	routes []route
}

// request is one parsed API call.
type request struct {
	method, path, template string
	params                 map[string]string
	query                  url.Values
	body                   []byte
	region                 string
	now                    time.Time
}

func (r *request) param(k string) string { return r.params[k] }

type handlerFunc func(*request) (any, *apiError)

type route struct {
	method   string
	template string
	segs     []string
	h        handlerFunc
	mutating bool
	noAuth   bool
}

// noContent makes the server answer 204 with no body.
type noContent struct{}

// withHeader is a 200 response with extra headers (the Instance API's X-Total-Count).
type withHeader struct {
	body   any
	header http.Header
}

// New builds a Server, loading opts.StateFile if it exists.
func New(opts Options) (*Server, error) {
	opts.withDefaults()
	s := &Server{opts: opts, catalog: sortCatalog(opts.Catalog), nodeTypes: opts.NodeTypes.clone(), st: newState(), dirty: true}
	s.faults.init(1)
	if opts.KubeClient != nil {
		s.kube = &kubeSync{client: opts.KubeClient}
	} else if len(opts.Kubeconfig) > 0 {
		k, err := newKubeSync(opts.Kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("emulator kube: %w", err)
		}
		s.kube = k
	}
	if opts.StateFile != "" {
		st, err := loadState(opts.StateFile)
		if err != nil {
			return nil, fmt.Errorf("emulator state: %w", err)
		}
		if st != nil {
			s.st = st
		}
	}
	s.buildRoutes()
	return s, nil
}

// MustNew is New for tests and fixed configurations; it panics on error.
func MustNew(opts Options) *Server {
	s, err := New(opts)
	if err != nil {
		panic(err)
	}
	return s
}

func (s *Server) buildRoutes() {
	const k = "/k8s/v1/regions/{region}"
	add := func(method, tmpl string, h handlerFunc) {
		s.routes = append(s.routes, route{method: method, template: tmpl, segs: strings.Split(strings.Trim(tmpl, "/"), "/"), h: h, mutating: method != http.MethodGet})
	}
	add("GET", k+"/clusters", s.handleListClusters)
	add("POST", k+"/clusters", s.handleCreateCluster)
	add("GET", k+"/clusters/{cluster_id}", s.handleGetCluster)
	add("PATCH", k+"/clusters/{cluster_id}", s.handleUpdateCluster)
	add("DELETE", k+"/clusters/{cluster_id}", s.handleDeleteCluster)
	add("POST", k+"/clusters/{cluster_id}/upgrade", s.handleUpgradeCluster)
	add("POST", k+"/clusters/{cluster_id}/set-type", s.handleSetClusterType)
	add("GET", k+"/clusters/{cluster_id}/available-versions", s.handleAvailableVersions)
	add("GET", k+"/clusters/{cluster_id}/available-types", s.handleAvailableTypes)
	add("GET", k+"/clusters/{cluster_id}/kubeconfig", s.handleKubeconfig)
	add("POST", k+"/clusters/{cluster_id}/reset-admin-token", s.handleResetAdminToken)
	add("GET", k+"/clusters/{cluster_id}/acls", s.handleListACLs)
	add("POST", k+"/clusters/{cluster_id}/acls", s.handleAddACLs)
	add("PUT", k+"/clusters/{cluster_id}/acls", s.handleSetACLs)
	add("DELETE", k+"/acls/{acl_id}", s.handleDeleteACL)
	add("GET", k+"/clusters/{cluster_id}/pools", s.handleListPools)
	add("POST", k+"/clusters/{cluster_id}/pools", s.handleCreatePool)
	add("GET", k+"/pools/{pool_id}", s.handleGetPool)
	add("PATCH", k+"/pools/{pool_id}", s.handleUpdatePool)
	add("DELETE", k+"/pools/{pool_id}", s.handleDeletePool)
	add("POST", k+"/pools/{pool_id}/upgrade", s.handleUpgradePool)
	add("PUT", k+"/pools/{pool_id}/set-labels", s.handleSetLabels)
	add("PUT", k+"/pools/{pool_id}/set-taints", s.handleSetTaints)
	add("PUT", k+"/pools/{pool_id}/set-startup-taints", s.handleSetStartupTaints)
	add("GET", k+"/pools/{pool_id}/user-data", s.handleListUserData)
	add("GET", k+"/pools/{pool_id}/user-data/{key}", s.handleGetUserData)
	add("POST", k+"/pools/{pool_id}/external-nodes/auth", s.handleExternalNodeAuth)
	add("GET", k+"/clusters/{cluster_id}/nodes", s.handleListNodes)
	add("GET", k+"/nodes/{node_id}", s.handleGetNode)
	add("DELETE", k+"/nodes/{node_id}", s.handleDeleteNode)
	add("POST", k+"/nodes/{node_id}/replace", s.handleReplaceNode)
	add("POST", k+"/nodes/{node_id}/reboot", s.handleRebootNode)
	add("GET", k+"/versions", s.handleListVersions)
	add("GET", k+"/versions/{version}", s.handleGetVersion)
	add("GET", k+"/cluster-types", s.handleListClusterTypes)
	add("GET", "/metadata", s.handleMetadata)
	s.routes[len(s.routes)-1].noAuth = true
	add("POST", "/vpc/v2/regions/{region}/private-networks", s.handleCreatePN)
	add("GET", "/vpc/v2/regions/{region}/private-networks/{pn_id}", s.handleGetPN)
	add("DELETE", "/vpc/v2/regions/{region}/private-networks/{pn_id}", s.handleDeletePN)
	add("GET", "/ipam/v1/regions/{region}/ips", s.handleListIPs)
	add("GET", "/instance/v1/zones/{zone}/products/servers", s.handleProductsServers)
	add("GET", "/instance/v1/zones/{zone}/products/servers/availability", s.handleProductsAvailability)
}

func (s *Server) match(method, path string) (*route, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	pathMatched := false
	for i := range s.routes {
		rt := &s.routes[i]
		if len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for j, p := range rt.segs {
			if strings.HasPrefix(p, "{") {
				if segs[j] == "" {
					ok = false
					break
				}
				params[strings.Trim(p, "{}")] = segs[j]
			} else if p != segs[j] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		pathMatched = true
		if rt.method == method {
			return rt, params, true
		}
	}
	return nil, nil, pathMatched
}

// Handler serves the emulated API and, under /emulator/v1/, the admin API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) now() time.Time {
	return s.opts.Clock.Now().UTC().Add(s.st.Offset)
}

func (s *Server) serveHTTP(w http.ResponseWriter, hr *http.Request) {
	if strings.HasPrefix(hr.URL.Path, adminPrefix) {
		s.serveAdmin(w, hr)
		return
	}
	rt, params, pathOK := s.match(hr.Method, hr.URL.Path)
	template := hr.URL.Path
	if rt != nil {
		template = rt.template
	}
	if rt == nil {
		status := http.StatusNotFound
		if pathOK {
			status = http.StatusMethodNotAllowed
		}
		s.logRequest(hr.Method, hr.URL.Path, "<unmatched>", status)
		writeJSON(w, status, map[string]any{"message": "route not found", "type": "not_found"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, 16<<20))
	if err != nil {
		s.finish(w, hr, template, nil, errBadRequest("read body: "+err.Error()))
		return
	}
	if !rt.noAuth && hr.Header.Get("X-Auth-Token") == "" {
		s.finish(w, hr, template, nil, errDeniedAuth())
		return
	}
	if f := s.injectFault(hr.Method, hr.URL.Path, template); f != nil {
		if f.latency > 0 {
			s.opts.Sleep(f.latency)
		}
		if f.err != nil {
			s.finish(w, hr, template, nil, f.err)
			return
		}
	}
	r := &request{method: hr.Method, path: hr.URL.Path, template: template, params: params,
		query: hr.URL.Query(), body: bytes.TrimSpace(body), region: params["region"]}
	if r.region != "" {
		if _, ok := regionZones[r.region]; !ok {
			s.finish(w, hr, template, nil, errInvalid("region", "constraint", "unknown region "+r.region))
			return
		}
	}
	if z := params["zone"]; z != "" && zoneRegion(z) == "" {
		s.finish(w, hr, template, nil, errInvalid("zone", "constraint", "unknown zone "+z))
		return
	}

	s.mu.Lock()
	r.now = s.now()
	changed := s.advance(r.now)
	out, aerr := rt.h(r)
	if aerr == nil && rt.mutating {
		changed = true
		s.dirty = true
	}
	if changed {
		s.persistLocked()
	}
	s.unlockApplyKube()
	s.finish(w, hr, template, out, aerr)
}

// unlockApplyKube releases s.mu (held by the caller) and applies the Kubernetes operations the
// locked section queued, under kubeMu taken before s.mu is released so that they apply in order.
func (s *Server) unlockApplyKube() {
	ops := s.kops
	s.kops = nil
	s.kubeMu.Lock()
	s.mu.Unlock()
	s.applyKube(ops)
	s.kubeMu.Unlock()
}

func (s *Server) finish(w http.ResponseWriter, hr *http.Request, template string, out any, aerr *apiError) {
	status := http.StatusOK
	switch {
	case aerr != nil:
		status = aerr.status
	case out == (noContent{}):
		status = http.StatusNoContent
	}
	// logged before the response leaves, so a client that reads the log after its call sees it
	s.logRequest(hr.Method, hr.URL.Path, template, status)
	switch {
	case aerr != nil:
		writeError(w, aerr)
	case status == http.StatusNoContent:
		w.WriteHeader(status)
	default:
		if wh, ok := out.(withHeader); ok {
			for k, v := range wh.header {
				w.Header()[k] = v
			}
			out = wh.body
		}
		writeJSON(w, status, out)
	}
}

func zoneRegion(z string) string {
	for r, zs := range regionZones {
		for _, x := range zs {
			if x == z {
				return r
			}
		}
	}
	if strings.HasPrefix(z, "it-mil-") {
		return "it-mil"
	}
	return ""
}
