package plan

import (
	"fmt"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// clusterChanges compares the fields of a cluster the spec manages with the live cluster. A nil
// or empty optional field of the spec is "not managed" (the live value is kept), except lists,
// which the spec owns whole (absent = empty); the tags are the spec's plus the reconciler's own
// (desiredTags). It returns the in-place changes, the PATCH that makes them (grouped fields —
// auto-upgrade, autoscaler, OIDC — sent whole, live values for the fields the spec leaves
// alone), and the messages of immutable fields that differ (a plan error: the cluster would have
// to be recreated).
func clusterChanges(c *spec.Cluster, live *cloud.Cluster, owner string) (changes []Change, u cloud.ClusterUpdate, immutable []string) {
	s := c.Spec
	d := DesiredCluster(c, owner)
	add := func(path string, before, after any) {
		changes = append(changes, Change{Path: path, Before: before, After: after})
	}
	if d.Description != live.Description {
		add("spec.description", live.Description, d.Description)
		u.Description = &d.Description
	}
	list := func(path string, want, have []string, dst **[]string) {
		if !cloud.SameSet(want, have) {
			add(path, sortedCopy(have), want)
			*dst = &want
		}
	}
	list("spec.tags", d.Tags, live.Tags, &u.Tags)
	if a := s.AutoUpgrade; a != nil {
		au := live.AutoUpgrade
		if a.Enabled != live.AutoUpgrade.Enabled {
			add("spec.autoUpgrade.enabled", live.AutoUpgrade.Enabled, a.Enabled)
			au.Enabled = a.Enabled
		}
		if a.MaintenanceWindow != nil {
			if d.AutoUpgrade.Day != live.AutoUpgrade.Day {
				add("spec.autoUpgrade.maintenanceWindow.day", live.AutoUpgrade.Day, d.AutoUpgrade.Day)
				au.Day = d.AutoUpgrade.Day
			}
			if d.AutoUpgrade.StartHour != live.AutoUpgrade.StartHour {
				add("spec.autoUpgrade.maintenanceWindow.startHour", live.AutoUpgrade.StartHour, d.AutoUpgrade.StartHour)
				au.StartHour = d.AutoUpgrade.StartHour
			}
		}
		if au != live.AutoUpgrade {
			u.AutoUpgrade = &au
		}
	}
	if a := s.Autoscaler; a != nil {
		want := desiredAutoscaler(a, live.Autoscaler)
		for _, f := range autoscalerFields {
			if b, w := f.get(live.Autoscaler), f.get(want); b != w {
				add("spec.autoscaler."+f.name, b, w)
				u.Autoscaler = &want
			}
		}
	}
	if s.OpenIDConnect != nil {
		for _, f := range oidcFields {
			if b, w := f.get(live.OpenIDConnect), f.get(d.OpenIDConnect); !equalValue(b, w) {
				add("spec.openIDConnect."+f.name, b, w)
				u.OpenIDConnect = &d.OpenIDConnect
			}
		}
	}
	list("spec.featureGates", d.FeatureGates, live.FeatureGates, &u.FeatureGates)
	list("spec.admissionPlugins", d.AdmissionPlugins, live.AdmissionPlugins, &u.AdmissionPlugins)
	list("spec.apiserverCertSANs", d.APIServerCertSANs, live.APIServerCertSANs, &u.APIServerCertSANs)
	fixed := func(path, want, have string) {
		if want != "" && have != "" && want != have {
			immutable = append(immutable, fmt.Sprintf("%s cannot change in place (live %q, spec %q)", path, have, want))
		}
	}
	fixed("spec.cni", s.CNI, live.CNI)
	fixed("spec.privateNetworkID", s.PrivateNetworkID, live.PrivateNetworkID)
	fixed("spec.podCIDR", s.PodCIDR, live.PodCIDR)
	fixed("spec.serviceCIDR", s.ServiceCIDR, live.ServiceCIDR)
	fixed("spec.serviceDNSIP", s.ServiceDNSIP, live.ServiceDNSIP)
	return changes, u, immutable
}

// field reads one named field of T as a comparable, JSON-friendly value.
type field[T any] struct {
	name string
	get  func(T) any
}

var autoscalerFields = []field[cloud.Autoscaler]{
	{"scaleDownDisabled", func(a cloud.Autoscaler) any { return a.ScaleDownDisabled }},
	{"scaleDownDelayAfterAdd", func(a cloud.Autoscaler) any { return a.ScaleDownDelayAfterAdd }},
	{"estimator", func(a cloud.Autoscaler) any { return a.Estimator }},
	{"expander", func(a cloud.Autoscaler) any { return a.Expander }},
	{"ignoreDaemonsetsUtilization", func(a cloud.Autoscaler) any { return a.IgnoreDaemonsetsUtilization }},
	{"balanceSimilarNodeGroups", func(a cloud.Autoscaler) any { return a.BalanceSimilarNodeGroups }},
	{"expendablePodsPriorityCutoff", func(a cloud.Autoscaler) any { return a.ExpendablePodsPriorityCutoff }},
	{"scaleDownUnneededTime", func(a cloud.Autoscaler) any { return a.ScaleDownUnneededTime }},
	{"scaleDownUtilizationThreshold", func(a cloud.Autoscaler) any { return a.ScaleDownUtilizationThreshold }},
	{"maxGracefulTerminationSec", func(a cloud.Autoscaler) any { return a.MaxGracefulTerminationSec }},
	{"skipNodesWithLocalStorage", func(a cloud.Autoscaler) any { return a.SkipNodesWithLocalStorage }},
	{"logLevel", func(a cloud.Autoscaler) any { return a.LogLevel }},
}

var oidcFields = []field[cloud.OpenIDConnect]{
	{"issuerURL", func(o cloud.OpenIDConnect) any { return o.IssuerURL }},
	{"clientID", func(o cloud.OpenIDConnect) any { return o.ClientID }},
	{"usernameClaim", func(o cloud.OpenIDConnect) any { return o.UsernameClaim }},
	{"usernamePrefix", func(o cloud.OpenIDConnect) any { return o.UsernamePrefix }},
	{"groupsClaim", func(o cloud.OpenIDConnect) any { return nonNil(o.GroupsClaim) }},
	{"groupsPrefix", func(o cloud.OpenIDConnect) any { return o.GroupsPrefix }},
	{"requiredClaim", func(o cloud.OpenIDConnect) any { return nonNil(o.RequiredClaim) }},
}
