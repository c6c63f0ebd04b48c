package plan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// WhyOutOfStock defers the creation of nodes of a type the zone has run out of.
const WhyOutOfStock = "out-of-stock"

// checkNodeTypes checks every pool this plan creates nodes for (a new cluster's pools, a new
// pool, a replacement pool) against its zone's catalog in the snapshot (cloud.ZoneCatalog):
//   - a type the zone does not offer, no longer sells, or that has too little memory for a node
//     is an error naming the closest eligible names; errors of several pools are all returned;
//   - a type in shortage defers the action that would create the nodes (out-of-stock), one that
//     is scarce is a warning;
//   - a zone whose catalog could not be read (or came back empty) is a warning and its pools are
//     not checked; a zone with no catalog in the snapshot is not checked (nothing was read).
func checkNodeTypes(w *work, c *spec.Cluster) error {
	if w.snap == nil || len(w.snap.Zones) == 0 {
		return nil
	}
	var errs []error
	unchecked := map[string]bool{}
	for i, p := range c.Spec.Pools {
		if p.IsExternal() {
			continue
		}
		drafts := creating(w, c.Metadata.Name, p.Name)
		if len(drafts) == 0 {
			continue
		}
		zone := DesiredPool(c.Spec.Region, p).Zone
		z := w.snap.Zone(zone)
		switch {
		case z == nil:
			continue
		case z.Error != "" || len(z.NodeTypes) == 0:
			if !unchecked[zone] {
				unchecked[zone] = true
				why := z.Error
				if why == "" {
					why = "the catalog came back empty"
				}
				w.warn("node-types-unchecked", "node types in %s were not checked (%s): the API decides at apply", zone, why)
			}
			continue
		}
		shown := displayNodeType(p.NodeType)
		t, ok := z.Find(p.NodeType)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%spool %s: node type %q is not offered in %s; %s (see scw instance server-type list zone=%s)",
				at(c, spec.PoolPath(i)+".nodeType"), p.Name, strings.TrimSpace(p.NodeType), zone, closestHint(shown, z), zone))
		case t.EndOfService:
			errs = append(errs, fmt.Errorf("%spool %s: node type %q has reached end of service in %s; %s (see scw instance server-type list zone=%s)",
				at(c, spec.PoolPath(i)+".nodeType"), p.Name, strings.TrimSpace(p.NodeType), zone, closestHint(shown, z), zone))
		case tooSmall(t):
			errs = append(errs, fmt.Errorf("%spool %s: node type %q has %s of memory, too little for a Kubernetes node (at least %s); %s (see scw instance server-type list zone=%s)",
				at(c, spec.PoolPath(i)+".nodeType"), p.Name, strings.TrimSpace(p.NodeType), gib(t.MemoryBytes), gib(minNodeMemory), closestHint(shown, z), zone))
		case t.Availability == cloud.StockShortage:
			g := &gate{WhyOutOfStock, fmt.Sprintf("node type %s is out of stock in %s (availability: shortage): pool %s is created once Scaleway has stock again, or choose another type",
				t.Name, zone, p.Name)}
			for _, d := range drafts {
				if d.gate == nil {
					d.gate = g
				}
			}
		case t.Availability == cloud.StockScarce:
			w.warn("node-type-scarce", "%snode type %s is scarce in %s (pool %s): its creation may fail for lack of stock",
				posOf(c, spec.PoolPath(i)+".nodeType"), t.Name, zone, p.Name)
		}
	}
	return errors.Join(errs...)
}

// creating returns the drafts that create nodes of spec pool name: the create-cluster that
// holds it, its create-pool, its replace-pool when the new pool does not exist yet.
func creating(w *work, cluster, name string) []*draft {
	var out []*draft
	for _, d := range w.drafts {
		switch d.a.Type {
		case CreateCluster:
			if cl := d.a.Payload.Cluster; cl != nil {
				for _, p := range cl.Pools {
					if p.Name == name {
						out = append(out, d)
						break
					}
				}
			}
		case CreatePool:
			if np := d.a.Payload.NewPool; np != nil && np.Name == name {
				out = append(out, d)
			}
		case ReplacePool:
			if np := d.a.Payload.NewPool; np != nil && np.ID == "" && d.a.ID == actionID(cluster, ReplacePool, name) {
				out = append(out, d)
			}
		}
	}
	return out
}

// closestHint names the zone's types in sale nearest to the (display-spelled) name.
func closestHint(name string, z *cloud.ZoneCatalog) string {
	var names []string
	for _, t := range z.NodeTypes {
		if !t.EndOfService && !tooSmall(t) {
			names = append(names, t.Name)
		}
	}
	if near := spec.Closest(name, names, 3); len(near) > 0 {
		return "closest: " + strings.Join(near, ", ")
	}
	return fmt.Sprintf("no offered name is close (%d types offered)", len(names))
}

// minNodeMemory is the least memory a pool's node type may have: the K8s API refuses smaller
// types ("Nodes with insufficient memory are not eligible (DEV1-S, PLAY2-PICO, STARDUST)").
const minNodeMemory = 4 << 30

// tooSmall reports a type whose (known) memory is below minNodeMemory.
func tooSmall(t cloud.NodeType) bool { return t.MemoryBytes > 0 && t.MemoryBytes < minNodeMemory }

// gib renders bytes in GiB: "2 GiB", "0.5 GiB".
func gib(b uint64) string { return strconv.FormatFloat(float64(b)/(1<<30), 'f', -1, 64) + " GiB" }

// displayNodeType is the Instance API's spelling of a node type: pro2_s → PRO2-S.
func displayNodeType(t string) string {
	return strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(t)), "_", "-")
}

// at is where an error about path of cluster c points, as validate writes it: "file:line:col:
// path: " when Load recorded where path was written (spec.Cluster.Pos), else "file:line: " of the
// cluster's document when it was read from a file, else "".
func at(c *spec.Cluster, path string) string {
	if p := posOf(c, path); p != "" {
		return p
	}
	if c.Source.File == "" {
		return ""
	}
	if c.Source.Line > 0 {
		return fmt.Sprintf("%s:%d: ", c.Source.File, c.Source.Line)
	}
	return c.Source.File + ": "
}

// posOf is "file:line:col: path: " when Load recorded where path was written, else "".
func posOf(c *spec.Cluster, path string) string {
	if p, ok := c.Positions[path]; ok && p.File != "" {
		return p.String() + ": " + path + ": "
	}
	return ""
}
