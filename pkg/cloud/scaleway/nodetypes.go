package scaleway

import (
	"context"
	"maps"
	"slices"
	"strings"

	instance "github.com/scaleway/scaleway-sdk-go/api/instance/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// perPage is the largest page the Instance API's product lists accept.
const perPage = 100

// ListNodeTypes reads the zone's Instance types (GET /instance/v1/zones/{zone}/products/servers,
// every page) and their stock (…/products/servers/availability, every page), each page retried
// on its own like every read. An availability list the endpoint does not serve (404) leaves
// Availability "" (unknown) rather than failing the catalog. Quota stays nil: the Instance quota
// is an organisation-level IAM read (iam/v1alpha1 ListQuota, which needs the organisation id and
// IAM rights a reconciler key should not have), so the adapter does not read it and the plan
// skips its capacity check.
func (p *Provider) ListNodeTypes(ctx context.Context, zone string) (*cloud.ZoneCatalog, error) {
	p.warmUp()
	api := instance.NewAPI(p.client)
	z := scw.Zone(zone)
	size := uint32(perPage)
	types, err := allPages(ctx, p, func(ctx context.Context, page int32) ([]named[*instance.ServerType], uint64, error) {
		res, err := api.ListServersTypes(&instance.ListServersTypesRequest{Zone: z, PerPage: &size, Page: &page}, scw.WithContext(ctx))
		if err != nil {
			return nil, 0, err
		}
		return byName(res.Servers), uint64(res.TotalCount), nil
	})
	if err != nil {
		return nil, p.wrap(ctx, err, "list node types in %s", zone)
	}
	stock, err := allPages(ctx, p, func(ctx context.Context, page int32) ([]named[*instance.GetServerTypesAvailabilityResponseAvailability], uint64, error) {
		res, err := api.GetServerTypesAvailability(&instance.GetServerTypesAvailabilityRequest{Zone: z, PerPage: &size, Page: &page}, scw.WithContext(ctx))
		if err != nil {
			return nil, 0, err
		}
		return byName(res.Servers), uint64(res.TotalCount), nil
	})
	if err != nil && !cloud.IsNotFound(mapError(ctx, err, p.secret)) {
		return nil, p.wrap(ctx, err, "list node type availability in %s", zone)
	}
	avail := map[string]string{}
	for _, s := range stock {
		if s.v != nil {
			avail[s.name] = string(s.v.Availability)
		}
	}
	out := &cloud.ZoneCatalog{Zone: zone, NodeTypes: make([]cloud.NodeType, 0, len(types))}
	for _, t := range types {
		nt := cloud.NodeType{Name: t.name, Zone: zone, Availability: avail[t.name]}
		if t.v != nil {
			nt.VCPUs, nt.MemoryBytes, nt.EndOfService = int(t.v.Ncpus), t.v.RAM, t.v.EndOfService
		}
		out.NodeTypes = append(out.NodeTypes, nt)
	}
	slices.SortFunc(out.NodeTypes, func(a, b cloud.NodeType) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// named is one entry of a map-shaped list response.
type named[T any] struct {
	name string
	v    T
}

// byName turns a map-shaped page into entries in name order (allPages wants a slice).
func byName[T any](m map[string]T) []named[T] {
	out := make([]named[T], 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, named[T]{k, m[k]})
	}
	return out
}
