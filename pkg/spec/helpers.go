package spec

import "strings"

// Regions lists the Scaleway regions offering Kapsule and Kosmos, with their zones.
var Regions = map[string][]string{
	"fr-par": {"fr-par-1", "fr-par-2", "fr-par-3"},
	"nl-ams": {"nl-ams-1", "nl-ams-2", "nl-ams-3"},
	"pl-waw": {"pl-waw-1", "pl-waw-2", "pl-waw-3"},
	"it-mil": {"it-mil-1", "it-mil-2", "it-mil-3"},
}

// RegionNames is Regions' keys, sorted.
var RegionNames = []string{"fr-par", "it-mil", "nl-ams", "pl-waw"}

// ClusterTypes lists the valid spec.type values and the most nodes each allows (0: unknown).
var ClusterTypes = map[string]int{
	"kapsule":                 150,
	"kapsule-dedicated-4":     250,
	"kapsule-dedicated-8":     500,
	"kapsule-dedicated-16":    500,
	"multicloud":              0,
	"multicloud-dedicated-4":  250,
	"multicloud-dedicated-8":  500,
	"multicloud-dedicated-16": 500,
}

// ClusterTypeNames is ClusterTypes' keys in a readable order.
var ClusterTypeNames = []string{
	"kapsule", "kapsule-dedicated-4", "kapsule-dedicated-8", "kapsule-dedicated-16",
	"multicloud", "multicloud-dedicated-4", "multicloud-dedicated-8", "multicloud-dedicated-16",
}

// NodeTypeExternal is the node type of a Kosmos pool of nodes outside Scaleway.
const NodeTypeExternal = "external"

// IsKosmos reports whether a cluster type is a Kosmos (multicloud) type.
func IsKosmos(clusterType string) bool {
	return clusterType == TypeMulticloud || strings.HasPrefix(clusterType, TypeMulticloud+"-")
}

// ZoneRegion returns the region of a zone ("fr-par-2" → "fr-par"), or "" when the zone is unknown.
func ZoneRegion(zone string) string {
	for r, zs := range Regions {
		for _, z := range zs {
			if z == zone {
				return r
			}
		}
	}
	return ""
}

// Kosmos reports whether the cluster is a Kosmos (multicloud) cluster.
func (c *Cluster) Kosmos() bool { return IsKosmos(c.Spec.Type) }

// IsExternal reports whether the pool holds nodes outside Scaleway (Kosmos node type external).
func (p *Pool) IsExternal() bool { return strings.EqualFold(p.NodeType, NodeTypeExternal) }

// NormalizeNodeType returns the API's spelling of a node type: " PRO2-XXS" → "pro2_xxs".
func NormalizeNodeType(t string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(t)), "-", "_")
}

// Pool returns the pool with that name, or nil.
func (c *Cluster) Pool(name string) *Pool {
	for i := range c.Spec.Pools {
		if c.Spec.Pools[i].Name == name {
			return &c.Spec.Pools[i]
		}
	}
	return nil
}
