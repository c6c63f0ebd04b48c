package apply

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// The executor recomputes, from the desired shape and the fresh observation, what a PATCH must
// carry: only the parts that differ now. The plan's Changes are for people (terraform's rule: never
// drive apply from the rendering); recomputing also makes a re-run after a partial update send
// only what is left.

func clusterUpdate(d, live *cloud.Cluster) cloud.ClusterUpdate {
	var u cloud.ClusterUpdate
	if d.Description != live.Description {
		u.Description = &d.Description
	}
	tags := slices.Clone(d.Tags)
	if slices.Contains(live.Tags, cloud.ManagedByTag) && !slices.Contains(tags, cloud.ManagedByTag) {
		tags = append(tags, cloud.ManagedByTag) // never drop ownership by a PATCH
	}
	if !sameSet(tags, live.Tags) {
		u.Tags = &tags
	}
	if d.AutoUpgrade != live.AutoUpgrade {
		u.AutoUpgrade = &d.AutoUpgrade
	}
	if d.Autoscaler != live.Autoscaler {
		u.Autoscaler = &d.Autoscaler
	}
	if !sameOIDC(d.OpenIDConnect, live.OpenIDConnect) {
		u.OpenIDConnect = &d.OpenIDConnect
	}
	setIfDiff(&u.FeatureGates, d.FeatureGates, live.FeatureGates)
	setIfDiff(&u.AdmissionPlugins, d.AdmissionPlugins, live.AdmissionPlugins)
	setIfDiff(&u.APIServerCertSANs, d.APIServerCertSANs, live.APIServerCertSANs)
	return u
}

func setIfDiff(dst **[]string, want, live []string) {
	if !sameSet(want, live) {
		w := slices.Clone(want)
		if w == nil {
			w = []string{}
		}
		*dst = &w
	}
}

func clusterUpdateEmpty(u cloud.ClusterUpdate) bool { return u == (cloud.ClusterUpdate{}) }

func poolUpdateEmpty(u cloud.PoolUpdate) bool { return u == (cloud.PoolUpdate{}) }

func sameOIDC(a, b cloud.OpenIDConnect) bool {
	return a.IssuerURL == b.IssuerURL && a.ClientID == b.ClientID && a.UsernameClaim == b.UsernameClaim &&
		a.UsernamePrefix == b.UsernamePrefix && a.GroupsPrefix == b.GroupsPrefix &&
		sameSet(a.GroupsClaim, b.GroupsClaim) && sameSet(a.RequiredClaim, b.RequiredClaim)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// poolChange is what update-pool sends: the PATCH and, only when they differ, the PUTs.
type poolChange struct {
	update        cloud.PoolUpdate
	labels        *map[string]string
	taints        *[]cloud.Taint
	startupTaints *[]cloud.Taint
}

func (c poolChange) empty() bool {
	return poolUpdateEmpty(c.update) && c.labels == nil && c.taints == nil && c.startupTaints == nil
}

func poolDiff(want, live *cloud.Pool) poolChange {
	var ch poolChange
	u := &ch.update
	if want.Autoscaling != live.Autoscaling {
		u.Autoscaling = &want.Autoscaling
	}
	if want.Autoscaling {
		// the autoscaler owns size: only the bounds are ours
		if want.MinSize != live.MinSize {
			u.MinSize = &want.MinSize
		}
		if want.MaxSize != live.MaxSize {
			u.MaxSize = &want.MaxSize
		}
	} else if want.Size != live.Size {
		u.Size = &want.Size
	}
	if want.Autohealing != live.Autohealing {
		u.Autohealing = &want.Autohealing
	}
	if !sameSet(want.Tags, live.Tags) {
		t := slices.Clone(want.Tags)
		u.Tags = &t
	}
	if !maps.Equal(want.KubeletArgs, live.KubeletArgs) {
		k := maps.Clone(want.KubeletArgs)
		if k == nil {
			k = map[string]string{}
		}
		u.KubeletArgs = &k
	}
	if want.UpgradePolicy != live.UpgradePolicy {
		u.UpgradePolicy = &want.UpgradePolicy
	}
	if want.SecurityGroupID != "" && want.SecurityGroupID != live.SecurityGroupID {
		u.SecurityGroupID = &want.SecurityGroupID
	}
	if want.MaxTerminationGracePeriod > 0 && want.MaxTerminationGracePeriod != live.MaxTerminationGracePeriod {
		s := int(want.MaxTerminationGracePeriod.Seconds())
		u.MaxTerminationGracePeriod = &s
	}
	if !maps.Equal(want.Labels, live.Labels) {
		l := maps.Clone(want.Labels)
		if l == nil {
			l = map[string]string{}
		}
		ch.labels = &l
	}
	if !sameTaints(want.Taints, live.Taints) {
		t := nonNil(want.Taints)
		ch.taints = &t
	}
	if !sameTaints(want.StartupTaints, live.StartupTaints) {
		t := nonNil(want.StartupTaints)
		ch.startupTaints = &t
	}
	return ch
}

func nonNil(t []cloud.Taint) []cloud.Taint {
	if t == nil {
		return []cloud.Taint{}
	}
	return slices.Clone(t)
}

func sameTaints(a, b []cloud.Taint) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(x, y cloud.Taint) int {
		return cmp.Or(strings.Compare(x.Key, y.Key), strings.Compare(x.Value, y.Value), strings.Compare(x.Effect, y.Effect))
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, key)
	slices.SortFunc(b, key)
	return slices.Equal(a, b)
}

// compareVersions compares "x.y.z" versions numerically (a missing part counts as 0).
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		if c := cmp.Compare(part(pa, i), part(pb, i)); c != 0 {
			return c
		}
	}
	return 0
}

func part(p []string, i int) int {
	if i >= len(p) {
		return 0
	}
	n, _ := strconv.Atoi(p[i])
	return n
}
