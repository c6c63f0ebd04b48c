package apply

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// What an update sends comes from the action's payload: apply never does something the plan did
// not say. The fresh observation then removes the parts
// that already hold, so a re-run after a partial update sends only what is left, and an update
// that fully holds is skipped.

// pendingClusterUpdate is the part of a's PATCH that live does not already show.
func pendingClusterUpdate(a plan.Action, live *cloud.Cluster) (cloud.ClusterUpdate, error) {
	if a.Payload.ClusterUpdate == nil {
		return cloud.ClusterUpdate{}, fmt.Errorf("action %s carries no update", a.ID)
	}
	u := *a.Payload.ClusterUpdate
	dropIf(&u.Description, live.Description, eq[string])
	dropIf(&u.Tags, live.Tags, cloud.SameSet)
	dropIf(&u.AutoUpgrade, live.AutoUpgrade, eq[cloud.AutoUpgrade])
	dropIf(&u.Autoscaler, live.Autoscaler, eq[cloud.Autoscaler])
	dropIf(&u.OpenIDConnect, live.OpenIDConnect, func(a, b cloud.OpenIDConnect) bool { return reflect.DeepEqual(normOIDC(a), normOIDC(b)) })
	dropIf(&u.FeatureGates, live.FeatureGates, cloud.SameSet)
	dropIf(&u.AdmissionPlugins, live.AdmissionPlugins, cloud.SameSet)
	dropIf(&u.APIServerCertSANs, live.APIServerCertSANs, cloud.SameSet)
	return u, nil
}

// pendingPoolPatch is the part of a's pool PATCH and PUTs that live does not already show.
func pendingPoolPatch(a plan.Action, live *cloud.Pool) (plan.PoolPatch, error) {
	if a.Payload.PoolPatch == nil {
		return plan.PoolPatch{}, fmt.Errorf("action %s carries no pool patch", a.ID)
	}
	pp := *a.Payload.PoolPatch
	u := &pp.Update
	dropIf(&u.Size, live.Size, eq[int])
	dropIf(&u.Autoscaling, live.Autoscaling, eq[bool])
	dropIf(&u.MinSize, live.MinSize, eq[int])
	dropIf(&u.MaxSize, live.MaxSize, eq[int])
	dropIf(&u.Autohealing, live.Autohealing, eq[bool])
	dropIf(&u.Tags, live.Tags, cloud.SameSet)
	dropIf(&u.KubeletArgs, live.KubeletArgs, sameMap)
	dropIf(&u.UpgradePolicy, live.UpgradePolicy, eq[cloud.UpgradePolicy])
	dropIf(&u.SecurityGroupID, live.SecurityGroupID, eq[string])
	dropIf(&u.MaxTerminationGracePeriod, int(live.MaxTerminationGracePeriod/time.Second), eq[int])
	dropIf(&pp.Labels, live.Labels, sameMap)
	dropIf(&pp.Taints, live.Taints, cloud.SameTaints)
	dropIf(&pp.StartupTaints, live.StartupTaints, cloud.SameTaints)
	return pp, nil
}

func dropIf[T any](p **T, live T, same func(a, b T) bool) {
	if *p != nil && same(**p, live) {
		*p = nil
	}
}

func eq[T comparable](a, b T) bool { return a == b }

func clusterUpdateEmpty(u cloud.ClusterUpdate) bool { return u == (cloud.ClusterUpdate{}) }

func poolPatchEmpty(pp plan.PoolPatch) bool {
	return pp.Update == (cloud.PoolUpdate{}) && pp.Labels == nil && pp.Taints == nil && pp.StartupTaints == nil
}

func normOIDC(o cloud.OpenIDConnect) cloud.OpenIDConnect {
	o.GroupsClaim, o.RequiredClaim = sorted(o.GroupsClaim), sorted(o.RequiredClaim)
	return o
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	if s == nil {
		s = []string{}
	}
	return s
}

func sameMap(a, b map[string]string) bool { return len(a) == len(b) && maps.Equal(a, b) }

// atVersion reports whether the live version have is at least want (both exact x.y.z); an
// unreadable version is not.
func atVersion(have, want string) bool {
	h, err := spec.ParseVersion(have)
	if err != nil {
		return false
	}
	w, err := spec.ParseVersion(want)
	return err == nil && h.Compare(w) >= 0
}
