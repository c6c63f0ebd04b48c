package emulator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CatalogVersion is one version the emulator knows. Listed versions are returned by ListVersions
// (one per minor, its latest patch, as the real API does) and accepted at creation; unlisted ones
// exist only so clusters can sit on older patches (seeding, available-versions, upgrades).
type CatalogVersion struct {
	Name       string    `json:"name"`
	Listed     bool      `json:"listed"`
	ReleasedAt time.Time `json:"released_at"`
	Deprecated time.Time `json:"deprecated_at"`
	EndOfLife  time.Time `json:"end_of_life_at"`
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// DefaultCatalog is the fr-par catalog of 2026-08 (docs/scaleway-k8s-api.md §2.4 and §6): 1.36.1, 1.35.3, 1.34.6 and
// 1.33.10 listed, every older patch of those minors known but unlisted.
func DefaultCatalog() []CatalogVersion {
	minors := []struct {
		minor          string
		latest         int
		rel, depr, eol string
	}{
		{"1.36", 1, "2026-07-07", "2027-07-07", "2027-09-07"},
		{"1.35", 3, "2026-01-19", "2027-01-19", "2027-03-19"},
		{"1.34", 6, "2025-09-29", "2026-09-29", "2026-11-29"},
		{"1.33", 10, "2025-09-04", "2026-09-04", "2026-11-04"},
	}
	var out []CatalogVersion
	for _, m := range minors {
		for p := m.latest; p >= 0; p-- {
			out = append(out, CatalogVersion{
				Name: fmt.Sprintf("%s.%d", m.minor, p), Listed: p == m.latest,
				ReleasedAt: day(m.rel), Deprecated: day(m.depr), EndOfLife: day(m.eol),
			})
		}
	}
	return out
}

// semver is a parsed x.y.z.
type semver [3]int

func parseVersion(s string) (semver, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var v semver
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return semver{}, false
		}
		v[i] = n
	}
	return v, true
}

func (a semver) less(b semver) bool {
	for i := range 3 {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// sortedCatalog returns the catalog newest first.
func sortCatalog(c []CatalogVersion) []CatalogVersion {
	out := append([]CatalogVersion(nil), c...)
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := parseVersion(out[i].Name)
		b, _ := parseVersion(out[j].Name)
		return b.less(a)
	})
	return out
}

func (s *Server) catalogEntry(name string) (CatalogVersion, bool) {
	for _, v := range s.catalog {
		if v.Name == name {
			return v, true
		}
	}
	return CatalogVersion{}, false
}

// availableVersions lists the legal upgrade targets from current: every higher patch of the same
// minor, plus the latest patch of the next minor (newest first).
func (s *Server) availableVersions(current string) []CatalogVersion {
	cur, ok := parseVersion(current)
	if !ok {
		return nil
	}
	var out []CatalogVersion
	var next *CatalogVersion
	for _, v := range s.catalog { // newest first
		pv, ok := parseVersion(v.Name)
		if !ok {
			continue
		}
		switch {
		case pv[0] == cur[0] && pv[1] == cur[1]+1 && next == nil:
			vv := v
			next = &vv
		case pv[0] == cur[0] && pv[1] == cur[1] && cur.less(pv):
			out = append(out, v)
		}
	}
	if next != nil {
		out = append([]CatalogVersion{*next}, out...)
	}
	return out
}

func (s *Server) versionWire(region string, v CatalogVersion) Version {
	cnis := []string{"cilium", "cilium_native", "calico", "kilo", "none"}
	gates := []string{"HPAScaleToZero", "CPUManagerPolicyAlphaOptions", "ImageVolume", "MutatingAdmissionPolicy"}
	return Version{
		Region: region, Name: v.Name, Label: "Kubernetes " + v.Name,
		AvailableCnis:              cnis,
		AvailableContainerRuntimes: []string{"containerd"},
		AvailableFeatureGates:      gates,
		AvailableAdmissionPlugins:  []string{"AlwaysPullImages", "PodNodeSelector", "PodTolerationRestriction"},
		AvailableKubeletArgs: map[string]string{
			"containerLogMaxFiles": "uint16", "containerLogMaxSize": "quantity", "cpuCFSQuota": "bool",
			"cpuCFSQuotaPeriod": "duration", "cpuManagerPolicy": "enum:none|static",
			"cpuManagerPolicyOptions": "map[string]string", "enableDebuggingHandlers": "bool",
			"evictionHard": "map[string]string", "evictionMinimumReclaim": "map[string]string",
			"imageGCHighThresholdPercent": "uint32", "imageGCLowThresholdPercent": "uint32",
			"maxParallelImagePulls": "int32", "maxPods": "uint16", "registryBurst": "int32",
			"registryPullQPS": "int32", "serializeImagePulls": "bool",
		},
		DeprecatedAt: v.Deprecated, EndOfLifeAt: v.EndOfLife, ReleasedAt: v.ReleasedAt,
	}
}

func (s *Server) handleListVersions(r *request) (any, *apiError) {
	out := []Version{}
	for _, v := range s.catalog {
		if v.Listed {
			out = append(out, s.versionWire(r.region, v))
		}
	}
	return map[string]any{"versions": out}, nil
}

func (s *Server) handleGetVersion(r *request) (any, *apiError) {
	v, ok := s.catalogEntry(r.param("version"))
	if !ok {
		return nil, errNotFound("version", r.param("version"))
	}
	return s.versionWire(r.region, v), nil
}

// clusterTypes is the offer catalog (docs/scaleway-k8s-api.md §2.4).
var clusterTypes = []ClusterType{
	{Name: "kapsule", Availability: "available", MaxNodes: 150, CommitmentDelay: "0s", Resiliency: "standard", Memory: 4000000000, MaxEtcdSize: 55000000},
	{Name: "kapsule-dedicated-4", Availability: "available", MaxNodes: 250, CommitmentDelay: "2592000s", SLA: 99.5, Resiliency: "high_availability", Memory: 4000000000, Dedicated: true, AuditLogsSupported: true, MaxEtcdSize: 200000000},
	{Name: "kapsule-dedicated-8", Availability: "available", MaxNodes: 500, CommitmentDelay: "2592000s", SLA: 99.5, Resiliency: "high_availability", Memory: 8000000000, Dedicated: true, AuditLogsSupported: true, MaxEtcdSize: 200000000},
	{Name: "kapsule-dedicated-16", Availability: "available", MaxNodes: 500, CommitmentDelay: "2592000s", SLA: 99.5, Resiliency: "high_availability", Memory: 16000000000, Dedicated: true, AuditLogsSupported: true, MaxEtcdSize: 200000000},
	{Name: "multicloud", Availability: "available", MaxNodes: 150, CommitmentDelay: "0s", Resiliency: "standard", Memory: 4000000000, MaxEtcdSize: 55000000},
	{Name: "multicloud-dedicated-4", Availability: "available", MaxNodes: 250, CommitmentDelay: "2592000s", SLA: 99.5, Resiliency: "high_availability", Memory: 4000000000, Dedicated: true, AuditLogsSupported: true, MaxEtcdSize: 200000000},
	{Name: "multicloud-dedicated-8", Availability: "available", MaxNodes: 500, CommitmentDelay: "2592000s", SLA: 99.5, Resiliency: "high_availability", Memory: 8000000000, Dedicated: true, AuditLogsSupported: true, MaxEtcdSize: 200000000},
	{Name: "multicloud-dedicated-16", Availability: "available", MaxNodes: 500, CommitmentDelay: "2592000s", SLA: 99.5, Resiliency: "high_availability", Memory: 16000000000, Dedicated: true, AuditLogsSupported: true, MaxEtcdSize: 200000000},
}

func clusterTypeByName(name string) (ClusterType, int, bool) {
	for i, t := range clusterTypes {
		if t.Name == name {
			return t, i, true
		}
	}
	return ClusterType{}, 0, false
}

func isMulticloud(t string) bool { return strings.HasPrefix(t, "multicloud") }
func isDedicated(t string) bool  { return strings.Contains(t, "dedicated") }

// tier orders types within a family: mutualized 0, dedicated-4 1, -8 2, -16 3.
func tier(t string) int {
	switch {
	case strings.HasSuffix(t, "-16"):
		return 3
	case strings.HasSuffix(t, "-8"):
		return 2
	case strings.HasSuffix(t, "-4"):
		return 1
	}
	return 0
}

// availableTypes: same family; during a commitment only higher tiers (from mutualized the list
// includes itself, as observed).
func (s *Server) availableTypes(c *clusterRec, now time.Time) []ClusterType {
	out := []ClusterType{}
	committed := isDedicated(c.Type) && now.Before(c.CommitmentEndsAt)
	for _, t := range clusterTypes {
		if isMulticloud(t.Name) != isMulticloud(c.Type) {
			continue
		}
		if isDedicated(c.Type) && (tier(t.Name) < tier(c.Type) && committed || t.Name == c.Type) {
			continue
		}
		out = append(out, t)
	}
	return out
}

func (s *Server) handleListClusterTypes(r *request) (any, *apiError) {
	page, err := paginate(r, len(clusterTypes), s.opts.DefaultPageSize)
	if err != nil {
		return nil, err
	}
	return map[string]any{"total_count": len(clusterTypes), "cluster_types": clusterTypes[page.lo:page.hi]}, nil
}
