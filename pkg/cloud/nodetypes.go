package cloud

import "strings"

// Node-type stock levels, as the Instance API's availability list spells them.
const (
	StockAvailable = "available"
	StockScarce    = "scarce"
	StockShortage  = "shortage"
)

// NodeType is one Instance type a zone offers (the Instance API's product list, which is what a
// pool's node_type must name).
type NodeType struct {
	// Name is the Instance API's spelling: PRO2-S (pools report it normalised: pro2_s).
	Name string
	Zone string
	// Availability is StockAvailable, StockScarce or StockShortage; "" when the zone's
	// availability list did not name the type.
	Availability string
	VCPUs        int
	MemoryBytes  uint64
	// EndOfService marks a type Scaleway no longer sells.
	EndOfService bool
}

// ZoneCatalog is what one zone offers for pool nodes, as read at observation time.
type ZoneCatalog struct {
	Zone string
	// NodeTypes are the zone's Instance types, by name; nil when they could not be read.
	NodeTypes []NodeType
	// Error says why the catalog could not be read ("" when it was): the plan then warns and
	// skips the node-type checks of the zone. An explicit answer (a list without the type) blocks.
	Error string
	// Quota is the zone's limit on Instances and its use, nil when the provider cannot read it
	// (the plan then skips the capacity check).
	Quota *Quota
}

// Quota is a limit on how many Instances may run in a zone, and how many run now.
type Quota struct {
	Limit int
	Used  int
}

// Find returns the catalog's entry for a node type in any spelling (PRO2-S, pro2_s).
func (z *ZoneCatalog) Find(name string) (NodeType, bool) {
	want := NodeTypeKey(name)
	for _, t := range z.NodeTypes {
		if NodeTypeKey(t.Name) == want {
			return t, true
		}
	}
	return NodeType{}, false
}

// NodeTypeKey is the spelling-independent form of a node type: " PRO2-S" and "pro2_s" give
// "pro2_s", the form the K8s API stores.
func NodeTypeKey(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
}

// Zone returns the snapshot's catalog of zone, nil when none was read.
func (s *Snapshot) Zone(zone string) *ZoneCatalog {
	for i := range s.Zones {
		if s.Zones[i].Zone == zone {
			return &s.Zones[i]
		}
	}
	return nil
}
