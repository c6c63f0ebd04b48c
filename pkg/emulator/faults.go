package emulator

import (
	"math/rand"
	"path"
	"strings"
	"sync"
	"time"
)

// Faults configures random failures of API calls (never of /metadata or the admin API).
// Each rate is a probability in [0,1], drawn from a generator seeded with Seed, so a given request
// sequence fails the same way every run.
type Faults struct {
	Seed        int64         `json:"seed"`
	Rate429     float64       `json:"rate_429"`
	Rate503     float64       `json:"rate_503"`
	Rate409     float64       `json:"rate_409"` // transient_state on mutations only
	Latency     time.Duration `json:"latency"`  // added to every API call
	MutateOnly  bool          `json:"mutate_only,omitempty"`
	PathPattern string        `json:"path_pattern,omitempty"` // only requests whose route template or path match (path.Match); "" = all
}

// FailNext fails the next Count requests matching Method (or "" = any) and Pattern (a path.Match
// pattern tested against the request path and against the route template, e.g.
// "/k8s/v1/regions/*/clusters/*" or "/k8s/v1/regions/{region}/clusters/{cluster_id}").
// Status picks the error: 429, 503, 409 (transient_state), 404, 423, 500, 403 (quotas_exceeded).
type FailNext struct {
	Method  string `json:"method"`
	Pattern string `json:"pattern"`
	Count   int    `json:"count"`
	Status  int    `json:"status"`
}

type faultState struct {
	cfg  Faults
	rng  *rand.Rand
	next []FailNext
}

func (f *faultState) init(seed int64) {
	f.cfg = Faults{Seed: seed}
	f.rng = rand.New(rand.NewSource(seed))
	f.next = nil
}

type injected struct {
	latency time.Duration
	err     *apiError
}

func matchPattern(pattern, p, template string) bool {
	if pattern == "" {
		return true
	}
	if ok, _ := path.Match(pattern, p); ok {
		return true
	}
	if ok, _ := path.Match(pattern, template); ok {
		return true
	}
	return pattern == template
}

func faultError(status int, method, template string) *apiError {
	switch status {
	case 429:
		return errTooManyRequests()
	case 503:
		return errUnavailable()
	case 404:
		return errNotFound(resourceOf(template), "")
	case 423:
		return errLocked(resourceOf(template), "")
	case 403:
		return errQuota("k8s_"+resourceOf(template), 0, 0)
	case 500:
		return &apiError{500, map[string]any{"message": "internal error", "type": "internal_error"}}
	default:
		return errTransient(resourceOf(template), "", "updating")
	}
}

// resourceOf names the resource a route acts on ("cluster", "pool", "node", ...).
func resourceOf(template string) string {
	segs := strings.Split(strings.Trim(template, "/"), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		switch segs[i] {
		case "clusters", "{cluster_id}":
			return "cluster"
		case "pools", "{pool_id}":
			return "pool"
		case "nodes", "{node_id}":
			return "node"
		case "acls", "{acl_id}":
			return "acl"
		}
	}
	return "resource"
}

// injectFault decides, under the lock, whether this request fails or is delayed.
func (s *Server) injectFault(method, p, template string) *injected {
	if template == "/metadata" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults.next {
		fn := &s.faults.next[i]
		if fn.Count > 0 && (fn.Method == "" || strings.EqualFold(fn.Method, method)) && matchPattern(fn.Pattern, p, template) {
			fn.Count--
			return &injected{latency: s.faults.cfg.Latency, err: faultError(fn.Status, method, template)}
		}
	}
	cfg := s.faults.cfg
	if !matchPattern(cfg.PathPattern, p, template) || cfg.MutateOnly && method == "GET" {
		return nil
	}
	out := &injected{latency: cfg.Latency}
	if cfg.Rate429 > 0 || cfg.Rate503 > 0 || cfg.Rate409 > 0 {
		x := s.faults.rng.Float64()
		switch {
		case x < cfg.Rate429:
			out.err = errTooManyRequests()
		case x < cfg.Rate429+cfg.Rate503:
			out.err = errUnavailable()
		case x < cfg.Rate429+cfg.Rate503+cfg.Rate409 && method != "GET":
			out.err = errTransient(resourceOf(template), "", "updating")
		}
	}
	if out.err == nil && out.latency == 0 {
		return nil
	}
	return out
}

// RequestRecord is one logged API call.
type RequestRecord struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Endpoint string    `json:"endpoint"` // METHOD + route template
	Status   int       `json:"status"`
}

// RequestLog is the admin view of the traffic since the last reset.
type RequestLog struct {
	Total    int             `json:"total"`
	Counts   map[string]int  `json:"counts"` // by "METHOD /route/{template}"
	Requests []RequestRecord `json:"requests"`
	// Events are the actions the emulated service took by itself (forced and automatic upgrades,
	// autoheal), oldest first.
	Events []LifecycleEvent `json:"events"`
}

type requestLog struct {
	mu      sync.Mutex
	records []RequestRecord
	counts  map[string]int
	events  []LifecycleEvent
}

const maxLoggedRequests = 10000

func (s *Server) logRequest(method, p, template string, status int) {
	l := &s.reqlog
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	ep := method + " " + template
	l.counts[ep]++
	if len(l.records) >= maxLoggedRequests {
		l.records = l.records[1:]
	}
	l.records = append(l.records, RequestRecord{Time: s.opts.Clock.Now().UTC(), Method: method, Path: p, Endpoint: ep, Status: status})
}
