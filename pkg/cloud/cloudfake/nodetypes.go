package cloudfake

import (
	"context"
	"fmt"
	"slices"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// DefaultNodeTypes is the node-type catalog a zone has unless WithNodeTypes replaces it: the
// Instance types pkg/emulator lists, all in stock.
func DefaultNodeTypes(zone string) []cloud.NodeType {
	names := []string{"DEV1-L", "DEV1-M", "DEV1-S", "DEV1-XL", "GP1-S", "GP1-XS", "POP2-2C-8G", "POP2-4C-16G",
		"PRO2-L", "PRO2-M", "PRO2-S", "PRO2-XS", "PRO2-XXS"}
	out := make([]cloud.NodeType, 0, len(names))
	for _, n := range names {
		out = append(out, cloud.NodeType{Name: n, Zone: zone, Availability: cloud.StockAvailable, VCPUs: 2, MemoryBytes: 8 << 30})
	}
	return out
}

// WithNodeTypes makes types the node-type catalog of zone. Such a zone is strict, as the API:
// CreateCluster and CreatePool refuse a pool whose node type is not listed (invalid_arguments)
// or is listed in shortage (out_of_stock). Zones without it list DefaultNodeTypes and accept any
// type, so tests that do not care about node types need no catalog.
func WithNodeTypes(zone string, types ...cloud.NodeType) Option {
	return func(f *Fake) {
		if f.nodeTypes == nil {
			f.nodeTypes = map[string][]cloud.NodeType{}
		}
		f.nodeTypes[zone] = slices.Clone(types)
	}
}

// WithQuota limits the Instances of zone to limit: ListNodeTypes reports it with the nodes the
// zone holds, and a CreateCluster or CreatePool that would go over it fails with
// quotas_exceeded, as the API.
func WithQuota(zone string, limit int) Option {
	return func(f *Fake) {
		if f.quotas == nil {
			f.quotas = map[string]int{}
		}
		f.quotas[zone] = limit
	}
}

// ListNodeTypes returns the zone's catalog, with its quota when WithQuota set one.
func (f *Fake) ListNodeTypes(_ context.Context, zone string) (*cloud.ZoneCatalog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin("ListNodeTypes", "", zone, ""); err != nil {
		return nil, err
	}
	types, ok := f.nodeTypes[zone]
	if !ok {
		types = DefaultNodeTypes(zone)
	}
	z := &cloud.ZoneCatalog{Zone: zone, NodeTypes: slices.Clone(types)}
	if limit, ok := f.quotas[zone]; ok {
		z.Quota = &cloud.Quota{Limit: limit, Used: f.nodesIn(zone)}
	}
	return z, nil
}

// nodesIn counts the nodes of every cluster's pools in zone. The caller holds f.mu.
func (f *Fake) nodesIn(zone string) int {
	n := 0
	for _, cs := range f.clusters {
		for _, ps := range cs.pools {
			if ps.p.Zone == zone {
				n += len(ps.nodes)
			}
		}
	}
	return n
}

// checkNodeType refuses what the API refuses for a new pool of size nodes in zone: a type a
// strict zone does not list, a type in shortage, nodes over the zone's quota. The caller
// holds f.mu.
func (f *Fake) checkNodeType(zone, nodeType string, size int) error {
	if types, strict := f.nodeTypes[zone]; strict {
		z := cloud.ZoneCatalog{Zone: zone, NodeTypes: types}
		t, ok := z.Find(nodeType)
		switch {
		case !ok && cloud.NodeTypeKey(nodeType) != "external":
			return invalid("node_type", fmt.Sprintf("node type %q is not available in zone %s", nodeType, zone))
		case ok && t.Availability == cloud.StockShortage:
			return &cloud.TerminalError{Reason: "out_of_stock", Err: fmt.Errorf("scaleway-sdk-go: resource %s is out of stock", nodeType)}
		}
	}
	if limit, ok := f.quotas[zone]; ok {
		if used := f.nodesIn(zone); used+size > limit {
			return &cloud.TerminalError{Reason: "quotas_exceeded", Err: fmt.Errorf(
				"scaleway-sdk-go: quota exceeded(s): instances has reached its quota (%d/%d)", used, limit)}
		}
	}
	return nil
}

// newNodes is how many nodes a new pool starts with.
func newNodes(p cloud.Pool) int {
	if p.Autoscaling {
		return p.MinSize
	}
	return p.Size
}
