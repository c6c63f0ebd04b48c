package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Fingerprint is what a cluster's plan was computed from: the live facts that, if they change,
// may make the plan wrong. Apply recomputes it from a fresh observation (FingerprintOf) and
// refuses the cluster's actions when Diff reports a difference.
type Fingerprint struct {
	ClusterID string `json:"cluster_id"`
	Status    string `json:"status"`
	Version   string `json:"version"`
	Type      string `json:"type"`
	Owned     bool   `json:"owned"`
	// Owner and Unprotected are the deletion evidence (cloud.Cluster.Owner, Unprotected).
	Owner       string            `json:"owner,omitempty"`
	Unprotected bool              `json:"unprotected,omitempty"`
	Pools       []PoolFingerprint `json:"pools"`
}

// PoolFingerprint is one pool's part of a Fingerprint, in pool-name order. Size is recorded only
// for pools without autoscaling (the autoscaler moves it at will); it is 0 otherwise.
type PoolFingerprint struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	Version     string `json:"version"`
	NodeType    string `json:"node_type"`
	Autoscaling bool   `json:"autoscaling"`
	Size        int    `json:"size"`
}

// FingerprintOf computes the fingerprint of a live cluster.
func FingerprintOf(c *cloud.Cluster) *Fingerprint {
	f := &Fingerprint{
		ClusterID: c.ID, Status: c.Status, Version: c.Version, Type: c.Type,
		Owned: c.Managed(), Owner: strings.Join(c.Owners(), ","), Unprotected: c.Unprotected(), Pools: []PoolFingerprint{},
	}
	for _, p := range c.Pools {
		pf := PoolFingerprint{ID: p.ID, Name: p.Name, Status: p.Status, Version: p.Version,
			NodeType: spec.NormalizeNodeType(p.NodeType), Autoscaling: p.Autoscaling}
		if !p.Autoscaling {
			pf.Size = p.Size
		}
		f.Pools = append(f.Pools, pf)
	}
	slices.SortFunc(f.Pools, func(a, b PoolFingerprint) int {
		return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID)
	})
	return f
}

// Diff lists, in words, how o differs from f; nil means equal. A nil fingerprint stands for a
// cluster that did not exist.
func (f *Fingerprint) Diff(o *Fingerprint) []string {
	switch {
	case f == nil && o == nil:
		return nil
	case f == nil:
		return []string{fmt.Sprintf("cluster now exists (id %s)", o.ClusterID)}
	case o == nil:
		return []string{fmt.Sprintf("cluster %s no longer exists", f.ClusterID)}
	}
	var d []string
	cmpField := func(what, a, b string) {
		if a != b {
			d = append(d, fmt.Sprintf("%s: %q → %q", what, a, b))
		}
	}
	cmpField("cluster id", f.ClusterID, o.ClusterID)
	cmpField("cluster status", f.Status, o.Status)
	cmpField("cluster version", f.Version, o.Version)
	cmpField("cluster type", f.Type, o.Type)
	if f.Owned != o.Owned {
		d = append(d, fmt.Sprintf("ownership tag: %t → %t", f.Owned, o.Owned))
	}
	cmpField("owner tag", f.Owner, o.Owner)
	if f.Unprotected != o.Unprotected {
		d = append(d, fmt.Sprintf("deletion-protection=false tag: %t → %t", f.Unprotected, o.Unprotected))
	}
	byID := func(ps []PoolFingerprint) map[string]PoolFingerprint {
		m := map[string]PoolFingerprint{}
		for _, p := range ps {
			m[p.ID] = p
		}
		return m
	}
	a, b := byID(f.Pools), byID(o.Pools)
	for _, p := range f.Pools {
		q, ok := b[p.ID]
		if !ok {
			d = append(d, fmt.Sprintf("pool %s (%s) is gone", p.Name, p.ID))
			continue
		}
		if p != q {
			d = append(d, fmt.Sprintf("pool %s changed: %+v → %+v", p.Name, p, q))
		}
	}
	for _, q := range o.Pools {
		if _, ok := a[q.ID]; !ok {
			d = append(d, fmt.Sprintf("pool %s (%s) appeared", q.Name, q.ID))
		}
	}
	return d
}
