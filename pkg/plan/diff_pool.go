package plan

import (
	"fmt"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// poolPath is the spec path of a pool field: spec.pools[default].size.
func poolPath(pool, f string) string { return fmt.Sprintf("spec.pools[%s].%s", pool, f) }

// poolChanges compares a pool spec with its live pool. mutable are update-pool changes;
// immutable are changes only a replacement pool can make. Unset optional fields are not managed;
// lists and maps (tags, labels, taints, startup taints, kubelet args) are owned whole. With
// autoscaling enabled the size belongs to the autoscaler and is never compared. patch is what
// an update-pool sends for the mutable changes.
func poolChanges(region string, p spec.Pool, live *cloud.Pool) (mutable, immutable []Change, patch PoolPatch) {
	d := DesiredPool(region, p)
	mut := func(f string, before, after any) {
		mutable = append(mutable, Change{Path: poolPath(p.Name, f), Before: before, After: after})
	}
	u := &patch.Update
	imm := func(f string, before, after any) {
		immutable = append(immutable, Change{Path: poolPath(p.Name, f), Before: before, After: after})
	}
	if d.Autoscaling != live.Autoscaling {
		mut("autoscaling.enabled", live.Autoscaling, d.Autoscaling)
		u.Autoscaling = &d.Autoscaling
	}
	if d.Autoscaling {
		if d.MinSize != live.MinSize {
			mut("autoscaling.min", live.MinSize, d.MinSize)
			u.MinSize = &d.MinSize
		}
		if d.MaxSize != live.MaxSize {
			mut("autoscaling.max", live.MaxSize, d.MaxSize)
			u.MaxSize = &d.MaxSize
		}
	} else if p.Size != nil && d.Size != live.Size {
		mut("size", live.Size, d.Size)
		u.Size = &d.Size
	}
	if p.Autohealing != nil && d.Autohealing != live.Autohealing {
		mut("autohealing", live.Autohealing, d.Autohealing)
		u.Autohealing = &d.Autohealing
	}
	// Tags under cloud.TagPrefix are the reconciler's (a replacement's marks): never the
	// spec's to compare, and kept by a PATCH of the others.
	userTags, ourTags := splitReserved(live.Tags)
	if !cloud.SameSet(d.Tags, userTags) {
		mut("tags", sortedCopy(userTags), d.Tags)
		tags := append(slices.Clone(d.Tags), ourTags...)
		u.Tags = &tags
	}
	if !equalValue(d.Labels, nonNilMap(live.Labels)) {
		mut("labels", nonNilMap(live.Labels), d.Labels)
		patch.Labels = &d.Labels
	}
	if !cloud.SameTaints(d.Taints, live.Taints) {
		mut("taints", specTaints(live.Taints), nonNilTaints(p.Taints))
		patch.Taints = &d.Taints
	}
	if !cloud.SameTaints(d.StartupTaints, live.StartupTaints) {
		mut("startupTaints", specTaints(live.StartupTaints), nonNilTaints(p.StartupTaints))
		patch.StartupTaints = &d.StartupTaints
	}
	if !equalValue(d.KubeletArgs, nonNilMap(live.KubeletArgs)) {
		mut("kubeletArgs", nonNilMap(live.KubeletArgs), d.KubeletArgs)
		u.KubeletArgs = &d.KubeletArgs
	}
	if up := p.UpgradePolicy; up != nil {
		want := live.UpgradePolicy // a half the spec leaves unset keeps its live value
		if up.MaxSurge != nil && d.UpgradePolicy.MaxSurge != live.UpgradePolicy.MaxSurge {
			mut("upgradePolicy.maxSurge", live.UpgradePolicy.MaxSurge, d.UpgradePolicy.MaxSurge)
			want.MaxSurge = d.UpgradePolicy.MaxSurge
		}
		if up.MaxUnavailable != nil && d.UpgradePolicy.MaxUnavailable != live.UpgradePolicy.MaxUnavailable {
			mut("upgradePolicy.maxUnavailable", live.UpgradePolicy.MaxUnavailable, d.UpgradePolicy.MaxUnavailable)
			want.MaxUnavailable = d.UpgradePolicy.MaxUnavailable
		}
		if want != live.UpgradePolicy {
			u.UpgradePolicy = &want
		}
	}
	if p.SecurityGroupID != "" && d.SecurityGroupID != live.SecurityGroupID {
		mut("securityGroupID", live.SecurityGroupID, d.SecurityGroupID)
		u.SecurityGroupID = &d.SecurityGroupID
	}
	if p.MaxTerminationGracePeriod != nil && d.MaxTerminationGracePeriod != live.MaxTerminationGracePeriod {
		mut("maxTerminationGracePeriod", live.MaxTerminationGracePeriod.String(), d.MaxTerminationGracePeriod.String())
		secs := int(d.MaxTerminationGracePeriod / time.Second)
		u.MaxTerminationGracePeriod = &secs
	}

	if d.NodeType != spec.NormalizeNodeType(live.NodeType) {
		imm("nodeType", live.NodeType, d.NodeType)
	}
	if d.Zone != live.Zone {
		imm("zone", live.Zone, d.Zone)
	}
	if p.ContainerRuntime != "" && d.ContainerRuntime != live.ContainerRuntime {
		imm("containerRuntime", live.ContainerRuntime, d.ContainerRuntime)
	}
	if d.RootVolumeType != "" && d.RootVolumeType != live.RootVolumeType {
		imm("rootVolume.type", live.RootVolumeType, d.RootVolumeType)
	}
	if d.RootVolumeSizeGB != 0 && d.RootVolumeSizeGB != live.RootVolumeSizeGB {
		imm("rootVolume.sizeGB", live.RootVolumeSizeGB, d.RootVolumeSizeGB)
	}
	if d.PublicIPDisabled != live.PublicIPDisabled {
		imm("publicIPDisabled", live.PublicIPDisabled, d.PublicIPDisabled)
	}
	if d.PlacementGroupID != live.PlacementGroupID {
		imm("placementGroupID", live.PlacementGroupID, d.PlacementGroupID)
	}
	// Unset follows the cluster's network: only an explicit one is compared.
	if d.PrivateNetworkID != "" && d.PrivateNetworkID != live.PrivateNetworkID {
		imm("privateNetworkID", live.PrivateNetworkID, d.PrivateNetworkID)
	}
	return mutable, immutable, patch
}

func nonNilTaints(ts []spec.Taint) []spec.Taint {
	if ts == nil {
		return []spec.Taint{}
	}
	return ts
}

// splitReserved splits live tags into the user's and the reconciler's (under cloud.TagPrefix).
func splitReserved(tags []string) (user, ours []string) {
	for _, t := range tags {
		if Reserved(t) {
			ours = append(ours, t)
		} else {
			user = append(user, t)
		}
	}
	return user, ours
}
