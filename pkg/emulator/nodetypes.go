package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Node types: Kapsule pools run Scaleway Instance products, and real clients learn which exist and
// which are in stock from the Instance API, per zone:
//   - GET /instance/v1/zones/{zone}/products/servers (SDK instance.ListServersTypes): the legacy
//     lister, {"servers": {"PRO2-S": {…}}}, 50 per page, total in the X-Total-Count header;
//   - GET /instance/v1/zones/{zone}/products/servers/availability (SDK
//     instance.GetServerTypesAvailability): {"servers": {"PRO2-S": {"availability": "available"}},
//     "total_count": N}; availability is available, scarce or shortage (out of stock).
// The k8s API has no node-type listing (cluster-types are control-plane offers). CreatePool refuses
// a type the zone does not offer with the error the real API sends (docs-content#745):
// invalid_arguments, node_type, constraint, "this node type is not available in this zone"; the
// emulator sends the same for a type out of stock (shortage) and for types too small for Kubernetes
// (the SDK's CreatePoolRequest doc: "Nodes with insufficient memory are not eligible (DEV1-S,
// PLAY2-PICO, STARDUST)"), with a help message that says which.

// Availability values of the Instance API (instance.ServerTypesAvailability).
const (
	AvailabilityAvailable = "available"
	AvailabilityScarce    = "scarce"
	AvailabilityShortage  = "shortage" // out of stock: pools of this type cannot be created or grown
)

// MinKubernetesRAM is the smallest memory a pool's node type may have (4 GiB: DEV1-M, PLAY2-NANO).
const MinKubernetesRAM = 4 << 30

// NodeType is one Instance product offered in a zone, with its stock.
type NodeType struct {
	Name         string  `json:"name"` // commercial name, as the Instance API keys it: "PRO2-S"
	NCPUs        uint32  `json:"ncpus"`
	RAM          uint64  `json:"ram"` // bytes
	Arch         string  `json:"arch"`
	HourlyPrice  float32 `json:"hourly_price"`
	MonthlyPrice float32 `json:"monthly_price"`
	// LocalVolumeMaxSize is the largest local (l_ssd) root volume in bytes; 0: block storage only.
	LocalVolumeMaxSize uint64 `json:"local_volume_max_size"`
	Bandwidth          uint64 `json:"bandwidth"`       // internet and internal, bits per second
	BlockBandwidth     uint64 `json:"block_bandwidth"` // bytes per second
	Availability       string `json:"availability"`    // available, scarce or shortage
	EndOfService       bool   `json:"end_of_service"`
}

// KubernetesEligible reports whether pools may use the type (enough memory).
func (t NodeType) KubernetesEligible() bool { return t.RAM >= MinKubernetesRAM }

// InStock reports whether new nodes of the type can be created.
func (t NodeType) InStock() bool { return t.Availability != AvailabilityShortage }

// NodeTypeCatalog maps a zone ("fr-par-1") to the node types offered there.
type NodeTypeCatalog map[string][]NodeType

// Lookup finds a type in a zone by any spelling of its name ("PRO2-S", "pro2_s").
func (c NodeTypeCatalog) Lookup(zone, name string) (NodeType, bool) {
	want := normalizeNodeType(name)
	for _, t := range c[zone] {
		if normalizeNodeType(t.Name) == want {
			return t, true
		}
	}
	return NodeType{}, false
}

// clone deep-copies the catalog (the server mutates availability under its lock).
func (c NodeTypeCatalog) clone() NodeTypeCatalog {
	out := NodeTypeCatalog{}
	for z, ts := range c {
		out[z] = append([]NodeType(nil), ts...)
	}
	return out
}

// nodeTypeSpecs are the Instance products used with Kapsule, with the fr-par-1 figures recorded in
// the Terraform cassettes (products/servers, 2026): name, cpus, ram, hourly and monthly price (EUR),
// local volume max size, bandwidth, block bandwidth.
var nodeTypeSpecs = []NodeType{
	{"DEV1-S", 2, 2147483648, "x86_64", 0.008976, 6.55248, 20000000000, 200000000, 104857600, "", false},
	{"DEV1-M", 3, 4294967296, "x86_64", 0.020196, 14.74308, 40000000000, 300000000, 157286400, "", false},
	{"DEV1-L", 4, 8589934592, "x86_64", 0.04284, 31.2732, 80000000000, 400000000, 209715200, "", false},
	{"DEV1-XL", 4, 12884901888, "x86_64", 0.065076, 47.50548, 120000000000, 500000000, 262144000, "", false},
	{"GP1-XS", 4, 17179869184, "x86_64", 0.09282, 67.7586, 150000000000, 500000000, 314572800, "", false},
	{"GP1-S", 8, 34359738368, "x86_64", 0.19074, 139.2402, 300000000000, 800000000, 524288000, "", false},
	{"GP1-M", 16, 68719476736, "x86_64", 0.38352, 279.9696, 600000000000, 1500000000, 838860800, "", false},
	{"GP1-L", 32, 137438953472, "x86_64", 0.77418, 565.1514, 600000000000, 5000000000, 1073741824, "", false},
	{"GP1-XL", 48, 274877906944, "x86_64", 1.67382, 1221.8886, 600000000000, 10000000000, 2147483648, "", false},
	{"PRO2-XXS", 2, 8589934592, "x86_64", 0.0561, 40.953, 0, 350000000, 131072000, "", false},
	{"PRO2-XS", 4, 17179869184, "x86_64", 0.1122, 81.906, 0, 700000000, 262144000, "", false},
	{"PRO2-S", 8, 34359738368, "x86_64", 0.22338, 163.0674, 0, 1500000000, 524288000, "", false},
	{"PRO2-M", 16, 68719476736, "x86_64", 0.44676, 326.1348, 0, 3000000000, 1048576000, "", false},
	{"PRO2-L", 32, 137438953472, "x86_64", 0.89454, 653.0142, 0, 6000000000, 2097152000, "", false},
	{"PLAY2-PICO", 1, 2147483648, "x86_64", 0.01428, 10.4244, 0, 100000000, 41943040, "", false},
	{"PLAY2-NANO", 2, 4294967296, "x86_64", 0.02754, 20.1042, 0, 200000000, 83886080, "", false},
	{"PLAY2-MICRO", 4, 8589934592, "x86_64", 0.05508, 40.2084, 0, 400000000, 167772160, "", false},
	{"POP2-2C-8G", 2, 8589934592, "x86_64", 0.0735, 53.655, 0, 400000000, 419430400, "", false},
	{"POP2-4C-16G", 4, 17179869184, "x86_64", 0.147, 107.31, 0, 800000000, 838860800, "", false},
	{"POP2-8C-32G", 8, 34359738368, "x86_64", 0.29, 211.7, 0, 1600000000, 1677721600, "", false},
	{"POP2-16C-64G", 16, 68719476736, "x86_64", 0.59, 430.7, 0, 3200000000, 3355443200, "", false},
	{"POP2-HC-2C-4G", 2, 4294967296, "x86_64", 0.0532, 38.836, 0, 400000000, 419430400, "", false},
	{"POP2-HC-4C-8G", 4, 8589934592, "x86_64", 0.1064, 77.672, 0, 800000000, 838860800, "", false},
	{"POP2-HC-8C-16G", 8, 17179869184, "x86_64", 0.2128, 155.344, 0, 1600000000, 1677721600, "", false},
	{"POP2-HM-2C-16G", 2, 17179869184, "x86_64", 0.103, 75.19, 0, 400000000, 419430400, "", false},
	{"POP2-HM-4C-32G", 4, 34359738368, "x86_64", 0.206, 150.38, 0, 800000000, 838860800, "", false},
	{"STARDUST1-S", 1, 1073741824, "x86_64", 0.0006, 0.438, 10000000000, 100000000, 52428800, "", false},
}

// zoneStock is the synthetic stock situation of the default catalog (an assumption, not a
// recording): which families a zone lacks and which types are scarce or out of stock there.
var zoneStock = map[string]struct {
	missing  []string          // name prefixes not offered in the zone
	stockOut map[string]string // type → availability other than available
}{
	"fr-par-1": {stockOut: map[string]string{"GP1-XL": AvailabilityScarce}},
	"fr-par-2": {missing: []string{"STARDUST1-"}, stockOut: map[string]string{"GP1-L": AvailabilityShortage, "GP1-XL": AvailabilityShortage, "PRO2-L": AvailabilityScarce}},
	"fr-par-3": {missing: []string{"STARDUST1-", "PLAY2-"}, stockOut: map[string]string{"POP2-16C-64G": AvailabilityShortage}},
	"nl-ams-1": {},
	"nl-ams-2": {missing: []string{"STARDUST1-"}, stockOut: map[string]string{"GP1-XL": AvailabilityShortage}},
	"nl-ams-3": {missing: []string{"STARDUST1-", "GP1-XL"}},
	"pl-waw-1": {missing: []string{"STARDUST1-"}},
	"pl-waw-2": {missing: []string{"STARDUST1-", "GP1-"}},
	"pl-waw-3": {missing: []string{"STARDUST1-", "GP1-"}, stockOut: map[string]string{"PRO2-M": AvailabilityScarce}},
	"it-mil-1": {missing: []string{"STARDUST1-", "GP1-", "PLAY2-"}},
}

// DefaultNodeTypes is the default per-zone catalog: the Kapsule-used Instance products in every
// zone of regionZones, with a few families missing and a few types scarce or out of stock (see
// zoneStock; e.g. GP1-L is out of stock in fr-par-2). DEV1-M, PRO2-* and POP2-2C-8G…POP2-8C-32G
// are offered and in stock everywhere.
func DefaultNodeTypes() NodeTypeCatalog {
	out := NodeTypeCatalog{}
	for _, zones := range regionZones {
		for _, z := range zones {
			st := zoneStock[z]
			var ts []NodeType
		next:
			for _, t := range nodeTypeSpecs {
				for _, m := range st.missing {
					if strings.HasPrefix(t.Name, m) {
						continue next
					}
				}
				t.Availability = AvailabilityAvailable
				if a, ok := st.stockOut[t.Name]; ok {
					t.Availability = a
				}
				ts = append(ts, t)
			}
			out[z] = ts
		}
	}
	return out
}

// checkNodeType validates a pool's node type in its zone; stock is checked only when growing.
func (s *Server) checkNodeType(zone, nodeType string, needStock bool) *apiError {
	if nodeType == "external" {
		return nil
	}
	t, ok := s.nodeTypes.Lookup(zone, nodeType)
	if !ok {
		return errInvalid("node_type", "constraint", "this node type is not available in this zone")
	}
	if !t.KubernetesEligible() {
		return errInvalid("node_type", "constraint", "this node type is not available in this zone: "+t.Name+" has less than 4 GiB of memory, too little for Kubernetes")
	}
	if needStock && !t.InStock() {
		return errInvalid("node_type", "constraint", "this node type is not available in this zone: "+t.Name+" is out of stock in "+zone)
	}
	return nil
}

// SetNodeTypeAvailability changes a type's stock in a zone (available, scarce or shortage).
func (s *Server) SetNodeTypeAvailability(zone, name, availability string) error {
	switch availability {
	case AvailabilityAvailable, AvailabilityScarce, AvailabilityShortage:
	default:
		return fmt.Errorf("availability %q: want available, scarce or shortage", availability)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.nodeTypes[zone] {
		if normalizeNodeType(t.Name) == normalizeNodeType(name) {
			s.nodeTypes[zone][i].Availability = availability
			return nil
		}
	}
	return fmt.Errorf("node type %s in zone %s: %w", name, zone, ErrNotFound)
}

// NodeTypes returns a copy of the current per-zone catalog (stock included).
func (s *Server) NodeTypes() NodeTypeCatalog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nodeTypes.clone()
}

// instancePageSize is the Instance API's default per_page (the recordings' Link headers).
const instancePageSize = 50

// zoneTypesPage sorts a zone's types by name and cuts the requested page (page, per_page).
func (s *Server) zoneTypesPage(r *request) ([]NodeType, int, *apiError) {
	all := append([]NodeType(nil), s.nodeTypes[r.param("zone")]...)
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	page, per := 1, instancePageSize
	if v := r.query.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, 0, errInvalid("page", "constraint", "page must be a positive integer")
		}
		page = n
	}
	if v := r.query.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, 0, errInvalid("per_page", "constraint", "per_page must be between 1 and 100")
		}
		per = n
	}
	lo := (page - 1) * per
	if lo > len(all) {
		lo = len(all)
	}
	hi := min(lo+per, len(all))
	return all[lo:hi], len(all), nil
}

func totalCountHeader(n int) http.Header {
	h := http.Header{}
	h.Set("X-Total-Count", strconv.Itoa(n))
	return h
}

// handleProductsServers serves instance.ListServersTypes in the recorded wire shape.
func (s *Server) handleProductsServers(r *request) (any, *apiError) {
	page, total, aerr := s.zoneTypesPage(r)
	if aerr != nil {
		return nil, aerr
	}
	servers := map[string]any{}
	for _, t := range page {
		servers[t.Name] = serverTypeWire(t)
	}
	return withHeader{body: map[string]any{"servers": servers}, header: totalCountHeader(total)}, nil
}

// handleProductsAvailability serves instance.GetServerTypesAvailability.
func (s *Server) handleProductsAvailability(r *request) (any, *apiError) {
	page, total, aerr := s.zoneTypesPage(r)
	if aerr != nil {
		return nil, aerr
	}
	servers := map[string]any{}
	for _, t := range page {
		servers[t.Name] = map[string]string{"availability": t.Availability}
	}
	return withHeader{body: map[string]any{"servers": servers, "total_count": total}, header: totalCountHeader(total)}, nil
}

// serverTypeWire is one products/servers entry with every key the recordings show.
func serverTypeWire(t NodeType) map[string]any {
	local := map[string]any{"min_size": 0, "max_size": 0}
	if t.LocalVolumeMaxSize > 0 {
		local = map[string]any{"min_size": 1000000000, "max_size": 800000000000}
	}
	return map[string]any{
		"alt_names": []string{}, "arch": t.Arch, "ncpus": t.NCPUs, "ram": t.RAM, "gpu": 0, "gpu_info": nil, "mig_profile": nil,
		"volumes_constraint":       map[string]any{"min_size": 0, "max_size": t.LocalVolumeMaxSize},
		"per_volume_constraint":    map[string]any{"l_ssd": local},
		"scratch_storage_max_size": 0, "scratch_storage_max_volumes_count": 0,
		"monthly_price": t.MonthlyPrice, "hourly_price": t.HourlyPrice,
		"capabilities": map[string]any{"boot_types": []string{"local", "rescue"}, "placement_groups": true, "block_storage": true,
			"hot_snapshots_local_volume": t.LocalVolumeMaxSize > 0, "private_network": 8, "max_file_systems": 0},
		"network": map[string]any{"ipv6_support": true, "sum_internal_bandwidth": t.Bandwidth, "sum_internet_bandwidth": t.Bandwidth,
			"interfaces": []map[string]any{{"internal_bandwidth": t.Bandwidth, "internet_bandwidth": t.Bandwidth}}},
		"block_bandwidth": t.BlockBandwidth, "end_of_service": t.EndOfService,
	}
}
