package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// ReplacementName is the name of the pool that replaces p when an immutable field changes: the
// spec name plus a short hash of the desired immutable fields, so a re-plan after a partial
// replacement finds the same name (and apply never creates it twice).
func ReplacementName(region string, p spec.Pool) string {
	d := DesiredPool(region, p)
	fields := []string{d.NodeType, d.Zone, d.ContainerRuntime, d.RootVolumeType,
		strconv.Itoa(d.RootVolumeSizeGB), strconv.FormatBool(d.PublicIPDisabled), d.PlacementGroupID}
	if d.PrivateNetworkID != "" { // appended only when set: the names of existing replacements stay
		fields = append(fields, d.PrivateNetworkID)
	}
	h := sha256.Sum256([]byte(strings.Join(fields, "\x00")))
	return p.Name + "-" + hex.EncodeToString(h[:])[:6]
}

// planPools plans every pool of an existing cluster: create, update, upgrade (after each
// control-plane hop), replace, and delete or warn for live pools no spec names.
func planPools(w *work, c *spec.Cluster, live *cloud.Cluster, hops []spec.Version, autoUp bool, base func() map[string]string, now time.Time) error {
	name, region := c.Metadata.Name, c.Spec.Region
	specNames := map[string]bool{}
	for _, p := range c.Spec.Pools {
		specNames[p.Name] = true
	}
	livePools := make([]*cloud.Pool, 0, len(live.Pools))
	for i := range live.Pools {
		if live.Pools[i].Status != "deleted" {
			livePools = append(livePools, &live.Pools[i])
		}
	}
	slices.SortFunc(livePools, func(a, b *cloud.Pool) int { return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID) })
	matched := map[*cloud.Pool]bool{}
	var errs []error
	for _, lp := range livePools {
		if lp.Status == "warning" || lp.ErrorMessage != "" {
			msg := lp.ErrorMessage
			if msg == "" {
				msg = "the API reports status warning (some nodes have issues)"
			}
			w.warn("pool-error", "pool %s: %s", lp.Name, msg)
		}
		for _, n := range lp.Nodes {
			if n.ErrorMessage != "" || n.Status == "creation_error" {
				w.warn("node-error", "pool %s node %s (%s): %s", lp.Name, n.Name, n.Status, orUnknown(n.ErrorMessage))
			}
		}
	}
	specPools := slices.Clone(c.Spec.Pools)
	slices.SortFunc(specPools, func(a, b spec.Pool) int { return strings.Compare(a.Name, b.Name) })
	for _, p := range specPools {
		var cands []*cloud.Pool
		for _, lp := range livePools {
			if lp.Name == p.Name || (spec.IsReplacementName(lp.Name, p.Name) && !specNames[lp.Name]) {
				cands = append(cands, lp)
			}
		}
		if len(cands) == 0 {
			d := DesiredPool(region, p)
			det := base()
			det["pool"] = p.Name
			w.add(&draft{phase: phCreatePool, a: Action{ID: actionID(name, CreatePool, p.Name), Type: CreatePool,
				Target: poolTarget(name, p.Name), Reason: "not-found", Details: det, Payload: Payload{NewPool: &d},
				Changes: []Change{{Path: "spec.pools[" + p.Name + "]", Before: nil, After: poolSummary(d)}}}})
			continue
		}
		// The pool the spec describes: one without immutable differences (exact name first),
		// else the exact-name pool, else the first candidate.
		var primary *cloud.Pool
		var bad []*cloud.Pool
		imm := map[*cloud.Pool][]Change{}
		for _, lp := range cands {
			_, im, _ := poolChanges(region, p, lp)
			imm[lp] = im
			if len(im) == 0 && (primary == nil || lp.Name == p.Name) {
				if primary != nil {
					bad = append(bad, primary)
				}
				primary = lp
			} else if len(im) > 0 {
				bad = append(bad, lp)
			}
		}
		if primary != nil {
			// An interrupted replacement: the new pool exists; the old ones are retired (the steps
			// left come from the live pools: replace.go).
			for _, old := range bad {
				matched[old] = true
				replaceDraft(w, c, p, old, primary, imm[old], base, now)
			}
		} else {
			primary = cands[0]
			for _, lp := range cands {
				if lp.Name == p.Name {
					primary = lp
				}
			}
			replaceDraft(w, c, p, primary, nil, imm[primary], base, now)
		}
		matched[primary] = true

		mutable, _, patch := poolChanges(region, p, primary)
		if len(mutable) > 0 {
			det := base()
			det["pool"], det["pool_id"] = primary.Name, primary.ID
			w.add(&draft{phase: phUpdatePool, pool: primary, a: Action{ID: actionID(name, UpdatePool, p.Name), Type: UpdatePool,
				Target: poolTarget(name, p.Name), Reason: "spec-changed", Changes: mutable, Details: det,
				Payload: Payload{Pool: primary.Name, PoolPatch: &patch}}})
		}
		if err := poolUpgrades(w, c, live, p, primary, hops, autoUp, base); err != nil {
			errs = append(errs, err)
		}
	}
	for _, lp := range livePools {
		if matched[lp] {
			continue
		}
		if !c.Spec.Prune {
			w.warn("pool-not-in-spec", "pool %s (%s) is not in the spec; it is kept because spec.prune is false", lp.Name, lp.ID)
			continue
		}
		det := base()
		det["pool"], det["pool_id"] = lp.Name, lp.ID
		w.add(&draft{phase: phDeletePool, pool: lp, a: Action{ID: actionID(name, DeletePool, lp.Name), Type: DeletePool,
			Target: poolTarget(name, lp.Name), Reason: "not-in-spec", Disruptive: true, Details: det, Changes: []Change{},
			Payload: Payload{Pool: lp.Name}}})
	}
	return errors.Join(errs...)
}

// poolUpgrades adds the upgrade-pool actions of one pool: after each control-plane hop the pool
// follows to the hop's version (never above the cluster), unless the spec pins it lower; with no
// hop, a pool behind its cluster is brought to the cluster's version (not a patch drift that
// auto-upgrade handles).
func poolUpgrades(w *work, c *spec.Cluster, live *cloud.Cluster, p spec.Pool, lp *cloud.Pool, hops []spec.Version, autoUp bool, base func() map[string]string) error {
	cur, err := spec.ParseVersion(lp.Version)
	if err != nil || !cur.Exact {
		w.warn("pool-error", "pool %s reports version %q, not x.y.z: its upgrades are not planned", lp.Name, lp.Version)
		return nil
	}
	var pin *spec.Version
	if p.Version != "" {
		v, err := spec.ParseVersion(p.Version)
		if err != nil {
			return fmt.Errorf("pool %s: %w", p.Name, err)
		}
		pin = &v
		if (v.Exact && cur.Compare(v) > 0) || (!v.Exact && cur.CompareMinor(v) > 0) {
			// Scaleway moved the pool past its pin (a forced or automatic upgrade): a fact.
			w.warn("spec-behind", "pool %s is at %s, ahead of its pin %s (Scaleway upgraded it); set its version to %s or remove the pin", p.Name, cur, v, cur.MinorString())
			return nil
		}
	}
	allows := func(h spec.Version) bool {
		if pin == nil {
			return true
		}
		if pin.Exact {
			return h.Compare(*pin) <= 0
		}
		return h.CompareMinor(*pin) <= 0
	}
	add := func(to spec.Version, hop int) {
		det := base()
		det["pool"], det["pool_id"], det["version"], det["hop"] = lp.Name, lp.ID, to.String(), strconv.Itoa(hop)
		w.add(&draft{phase: phUpgrade, hop: hop, sub: 1, pool: lp, a: Action{
			ID: actionID(c.Metadata.Name, UpgradePool, p.Name, to.String()), Type: UpgradePool,
			Target: poolTarget(c.Metadata.Name, p.Name), Reason: "version-behind", Details: det,
			Payload: Payload{Pool: lp.Name, Version: to.String()},
			Changes: []Change{{Path: poolPath(p.Name, "version"), Before: cur.String(), After: to.String()}}}})
		cur = to
	}
	for i, h := range hops {
		if cur.Compare(h) < 0 && allows(h) {
			add(h, i+1)
		}
	}
	if len(hops) > 0 {
		return nil
	}
	cv, err := spec.ParseVersion(live.Version)
	if err != nil || cur.Compare(cv) >= 0 {
		return nil
	}
	switch {
	case !allows(cv):
		if pin != nil && !matchesPin(cur, *pin) {
			w.warn("pool-version-unreachable", "pool %s is pinned to %s but can only be upgraded to its cluster's version %s", p.Name, pin, cv)
		}
	case autoUp && cur.CompareMinor(cv) == 0:
		// Scaleway's auto-upgrade brings managed pools to the control plane's patch.
	default:
		add(cv, 0)
	}
	return nil
}

func matchesPin(v, pin spec.Version) bool {
	if pin.Exact {
		return v.Compare(pin) == 0
	}
	return v.CompareMinor(pin) == 0
}
