package plan

import (
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// poolPath is the spec path of a pool field: spec.pools[default].size.
func poolPath(pool, f string) string { return fmt.Sprintf("spec.pools[%s].%s", pool, f) }

// poolChanges compares a pool spec with its live pool. mutable are update-pool changes;
// immutable are changes only a replacement pool can make. Unset optional fields are not managed;
// lists and maps (tags, labels, taints, startup taints, kubelet args) are owned whole. With
// autoscaling enabled the size belongs to the autoscaler and is never compared.
func poolChanges(region string, p spec.Pool, live *cloud.Pool) (mutable, immutable []Change) {
	d := DesiredPool(region, p)
	mut := func(f string, before, after any) {
		mutable = append(mutable, Change{Path: poolPath(p.Name, f), Before: before, After: after})
	}
	imm := func(f string, before, after any) {
		immutable = append(immutable, Change{Path: poolPath(p.Name, f), Before: before, After: after})
	}
	if d.Autoscaling != live.Autoscaling {
		mut("autoscaling.enabled", live.Autoscaling, d.Autoscaling)
	}
	if d.Autoscaling {
		if d.MinSize != live.MinSize {
			mut("autoscaling.min", live.MinSize, d.MinSize)
		}
		if d.MaxSize != live.MaxSize {
			mut("autoscaling.max", live.MaxSize, d.MaxSize)
		}
	} else if p.Size != nil && d.Size != live.Size {
		mut("size", live.Size, d.Size)
	}
	if p.Autohealing != nil && d.Autohealing != live.Autohealing {
		mut("autohealing", live.Autohealing, d.Autohealing)
	}
	if !sameSet(d.Tags, live.Tags) {
		mut("tags", sortedCopy(live.Tags), d.Tags)
	}
	if !equalValue(d.Labels, nonNilMap(live.Labels)) {
		mut("labels", nonNilMap(live.Labels), d.Labels)
	}
	if !sameTaints(d.Taints, live.Taints) {
		mut("taints", specTaints(live.Taints), nonNilTaints(p.Taints))
	}
	if !sameTaints(d.StartupTaints, live.StartupTaints) {
		mut("startupTaints", specTaints(live.StartupTaints), nonNilTaints(p.StartupTaints))
	}
	if !equalValue(d.KubeletArgs, nonNilMap(live.KubeletArgs)) {
		mut("kubeletArgs", nonNilMap(live.KubeletArgs), d.KubeletArgs)
	}
	if u := p.UpgradePolicy; u != nil {
		if u.MaxSurge != nil && d.UpgradePolicy.MaxSurge != live.UpgradePolicy.MaxSurge {
			mut("upgradePolicy.maxSurge", live.UpgradePolicy.MaxSurge, d.UpgradePolicy.MaxSurge)
		}
		if u.MaxUnavailable != nil && d.UpgradePolicy.MaxUnavailable != live.UpgradePolicy.MaxUnavailable {
			mut("upgradePolicy.maxUnavailable", live.UpgradePolicy.MaxUnavailable, d.UpgradePolicy.MaxUnavailable)
		}
	}
	if p.SecurityGroupID != "" && d.SecurityGroupID != live.SecurityGroupID {
		mut("securityGroupID", live.SecurityGroupID, d.SecurityGroupID)
	}
	if p.MaxTerminationGracePeriod != nil && d.MaxTerminationGracePeriod != live.MaxTerminationGracePeriod {
		mut("maxTerminationGracePeriod", live.MaxTerminationGracePeriod.String(), d.MaxTerminationGracePeriod.String())
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
	return mutable, immutable
}

func nonNilTaints(ts []spec.Taint) []spec.Taint {
	if ts == nil {
		return []spec.Taint{}
	}
	return ts
}
