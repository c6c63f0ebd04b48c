package emulator

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// CatalogVersion is one version the emulator knows. ReleasedAt, Deprecated and EndOfLife are the
// minor's dates, served as the real API serves them on every version of that minor. What a version
// is good for is evaluated against the emulator's clock (now):
//   - released: AvailableAt (zero: ReleasedAt) is not after now;
//   - offered (ListVersions, cluster creation, upgrade target): released, now is before Deprecated,
//     and either the newest released patch of its minor (one per minor, as the real API lists them)
//     or Listed;
//   - GetVersion answers for every released version, deprecated or past end of life included;
//   - past EndOfLife, clusters on the minor are force-upgraded (lifecycle.go).
//
// Listed keeps a patch offered even when a newer patch of its minor is out. DefaultCatalog marks each
// minor's newest patch; the replay test also marks the versions its recordings created clusters with.
type CatalogVersion struct {
	Name        string    `json:"name"`
	Listed      bool      `json:"listed"`
	ReleasedAt  time.Time `json:"released_at"`
	Deprecated  time.Time `json:"deprecated_at"`
	EndOfLife   time.Time `json:"end_of_life_at"`
	AvailableAt time.Time `json:"available_at"` // when this patch came out; zero: with the minor
	// UpgradableAt is when clusters of the previous minor may upgrade to this version (Scaleway
	// opens a new minor to new clusters first, to upgrades later); zero: when it is available.
	UpgradableAt time.Time `json:"upgradable_at,omitempty"`
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// availableAt is when the version could first be used.
func (v CatalogVersion) availableAt() time.Time {
	if v.AvailableAt.IsZero() {
		return v.ReleasedAt
	}
	return v.AvailableAt
}

func (v CatalogVersion) released(now time.Time) bool { return !now.Before(v.availableAt()) }

func (v CatalogVersion) deprecated(now time.Time) bool {
	return !v.Deprecated.IsZero() && !now.Before(v.Deprecated)
}

func (v CatalogVersion) endOfLife(now time.Time) bool {
	return !v.EndOfLife.IsZero() && !now.Before(v.EndOfLife)
}

func sameMinor(a, b semver) bool { return a[0] == b[0] && a[1] == b[1] }

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

// latestPatch is the newest released patch of the minor major.minor at now.
func (s *Server) latestPatch(major, minor int, now time.Time) (CatalogVersion, bool) {
	for _, v := range s.catalog { // newest first
		pv, ok := parseVersion(v.Name)
		if ok && pv[0] == major && pv[1] == minor && v.released(now) {
			return v, true
		}
	}
	return CatalogVersion{}, false
}

// offered reports whether v can be created or upgraded to at now.
func (s *Server) offered(v CatalogVersion, now time.Time) bool {
	if !v.released(now) || v.deprecated(now) {
		return false
	}
	if v.Listed {
		return true
	}
	pv, ok := parseVersion(v.Name)
	if !ok {
		return false
	}
	latest, _ := s.latestPatch(pv[0], pv[1], now)
	return latest.Name == v.Name
}

// CatalogAt lists the versions of catalog that can be created at t, newest first: what a test
// seeding clusters picks from, whatever the date it runs on.
func CatalogAt(catalog []CatalogVersion, t time.Time) []string {
	s := &Server{catalog: sortCatalog(catalog)}
	var out []string
	for _, v := range s.catalog {
		if s.offered(v, t) {
			out = append(out, v.Name)
		}
	}
	return out
}

// availableVersions lists the legal upgrade targets from current at now: every higher released
// patch of the same minor, plus the latest patch of the next minor once upgrades to it are open
// (UpgradableAt), newest first, deprecated versions excluded.
func (s *Server) availableVersions(current string, now time.Time) []CatalogVersion {
	cur, ok := parseVersion(current)
	if !ok {
		return nil
	}
	var out []CatalogVersion
	for _, v := range s.catalog { // newest first
		pv, ok := parseVersion(v.Name)
		if !ok || !v.released(now) || v.deprecated(now) {
			continue
		}
		if sameMinor(pv, cur) && cur.less(pv) {
			out = append(out, v)
		}
	}
	if next, ok := s.latestPatch(cur[0], cur[1]+1, now); ok && !next.deprecated(now) && !now.Before(next.UpgradableAt) {
		out = append([]CatalogVersion{next}, out...)
	}
	return out
}

// versionCNIs are the CNIs a version offers: cilium_native from 1.34 on (the 2026-08 recordings list
// it for 1.34.6 and later, not for 1.33.10).
func versionCNIs(name string) []string {
	if pv, ok := parseVersion(name); ok && pv[0] == 1 && pv[1] < 34 {
		return []string{"cilium", "calico", "kilo", "none"}
	}
	return []string{"cilium", "cilium_native", "calico", "kilo", "none"}
}

func (s *Server) versionWire(region string, v CatalogVersion) Version {
	cnis := versionCNIs(v.Name)
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
		if s.offered(v, r.now) {
			out = append(out, s.versionWire(r.region, v))
		}
	}
	return map[string]any{"versions": out}, nil
}

func (s *Server) handleGetVersion(r *request) (any, *apiError) {
	v, ok := s.catalogEntry(r.param("version"))
	if !ok || !v.released(r.now) {
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
