package spec

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/scaleway-gitops/reconciler/pkg/window"
)

// Validate checks a defaulted cluster built in code and returns every problem, with field paths
// but no file positions. Load already validates what it loads.
func Validate(c *Cluster) ErrorList {
	var is issues
	validateCluster(&is, c, func(string) bool { return true })
	var out ErrorList
	for _, i := range is {
		out = append(out, FieldError{File: c.Source.File, Path: i.path, Message: i.msg, Hint: i.hint})
	}
	return out.normalize()
}

var (
	nameRE     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	uuidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	nodeTypeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	argRE      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
)

const (
	maxClusterName = 100
	maxPoolName    = 63 // Scaleway puts the pool name in a node label value
	maxTag         = 128
)

var (
	days        = []string{"any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	kapsuleCNIs = []string{"cilium", "calico", "cilium_native", "none"}
	expanders   = []string{"random", "most_pods", "least_waste", "priority", "price"}
	estimators  = []string{"binpacking"}
	volumeTypes = []string{"l_ssd", "sbs_5k", "sbs_15k"}
	effects     = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}
	onTimeouts  = []string{OnDrainTimeoutSkip, OnDrainTimeoutForce, OnDrainTimeoutAbort}
	drifts      = []string{DriftRevert, DriftReport}
)

func oneOf(vals []string) string { return strings.Join(vals, ", ") }

// validateCluster checks a defaulted cluster. written reports whether the user wrote a path
// (to tell "missing" from "zero").
func validateCluster(is *issues, c *Cluster, written func(string) bool) {
	if c.APIVersion != APIVersion {
		is.hint("apiVersion", fmt.Sprintf("unsupported API version %q", c.APIVersion), "apiVersion: "+APIVersion)
	}
	if c.Kind != KindCluster {
		is.addf("kind", "must be %s, not %q", KindCluster, c.Kind)
	}
	validateName(is, "metadata.name", c.Metadata.Name, maxClusterName)

	s := &c.Spec
	validateRegion(is, "spec.region", s.Region, true)
	validateUUID(is, "spec.projectID", s.ProjectID)
	maxNodes, knownType := ClusterTypes[s.Type]
	if !knownType {
		is.hint("spec.type", fmt.Sprintf("unknown cluster type %q", s.Type), "one of "+oneOf(ClusterTypeNames))
	}
	kosmos := IsKosmos(s.Type)
	clusterVersion, versionOK := validateVersion(is, "spec.version", s.Version, true)

	if kosmos {
		if s.CNI != KosmosCNI {
			is.hint("spec.cni", fmt.Sprintf("Kosmos (%s) clusters use CNI kilo, not %q", s.Type, s.CNI), "remove spec.cni or set it to kilo")
		}
		if s.PrivateNetworkID != "" {
			is.hint("spec.privateNetworkID", "Kosmos (multicloud) clusters cannot use a Private Network", "remove spec.privateNetworkID")
		}
	} else if knownType {
		if s.CNI == KosmosCNI {
			is.hint("spec.cni", "kilo is the Kosmos CNI: Kapsule clusters use cilium, calico, cilium_native or none", "use cilium (the default), calico, cilium_native or none, or type: multicloud for Kosmos")
		} else if !slices.Contains(kapsuleCNIs, s.CNI) {
			is.hint("spec.cni", fmt.Sprintf("unknown CNI %q for a Kapsule cluster", s.CNI), "one of "+oneOf(kapsuleCNIs))
		}
		if s.PrivateNetworkID == "" {
			is.hint("spec.privateNetworkID", "required: Kapsule clusters are attached to a Private Network", "set the UUID of a VPC Private Network in the cluster's region")
		}
	}
	validateUUID(is, "spec.privateNetworkID", s.PrivateNetworkID)
	validateTags(is, "spec.tags", s.Tags)
	if s.ACL != nil {
		validateACL(is, s.ACL)
	}
	if len(s.Description) > 255 {
		is.add("spec.description", "must be at most 255 characters")
	}

	if au := s.AutoUpgrade; au != nil {
		if mw := au.MaintenanceWindow; mw != nil {
			if mw.Day != "" && !slices.Contains(days, mw.Day) {
				is.hint("spec.autoUpgrade.maintenanceWindow.day", fmt.Sprintf("unknown day %q", mw.Day), "one of "+oneOf(days))
			}
			if mw.StartHour < 0 || mw.StartHour > 23 {
				is.addf("spec.autoUpgrade.maintenanceWindow.startHour", "must be between 0 and 23, not %d", mw.StartHour)
			}
		}
		if au.Enabled && versionOK && clusterVersion.Exact {
			is.hint("spec.autoUpgrade.enabled", fmt.Sprintf("Scaleway's auto-upgrade would move the cluster off the pinned patch %s", s.Version),
				fmt.Sprintf("pin the minor only (version: %q) or disable autoUpgrade", clusterVersion.MinorString()))
		}
	}
	validateAutoscaler(is, s.Autoscaler)
	validateOIDC(is, s.OpenIDConnect)
	validateWords(is, "spec.featureGates", s.FeatureGates)
	validateWords(is, "spec.admissionPlugins", s.AdmissionPlugins)
	for i, san := range s.APIServerCertSANs {
		_, ipErr := netip.ParseAddr(san)
		if ipErr != nil && len(content.IsDNS1123Subdomain(strings.TrimPrefix(san, "*."))) > 0 {
			is.addf(fmt.Sprintf("spec.apiserverCertSANs[%d]", i), "%q is neither a DNS name nor an IP address", san)
		}
	}
	validateNetworks(is, s)
	if s.Upgrade != nil && s.Upgrade.Window != nil {
		validateWindow(is, "spec.upgrade.window", s.Upgrade.Window)
	}
	validateClusterRollout(is, s.Rollout)
	if !slices.Contains(drifts, s.Drift) {
		is.hint("spec.drift", fmt.Sprintf("unknown drift mode %q", s.Drift), "one of "+oneOf(drifts))
	}

	seen := map[string]int{}
	total := 0
	for i := range s.Pools {
		p := &s.Pools[i]
		pp := "spec.pools[" + strconv.Itoa(i) + "]"
		if first, dup := seen[p.Name]; dup && p.Name != "" {
			is.hint(pp+".name", fmt.Sprintf("duplicate pool name %q (also spec.pools[%d])", p.Name, first), "pool names are unique within a cluster")
		} else {
			seen[p.Name] = i
		}
		validatePool(is, pp, p, s, kosmos, written)
		if p.Version != "" && versionOK {
			if pv, err := ParseVersion(p.Version); err == nil && pv.CompareMinor(clusterVersion) > 0 {
				is.addf(pp+".version", "pool version %s is newer than the cluster version %s", p.Version, s.Version)
			}
		}
		if p.Autoscaling != nil && p.Autoscaling.Enabled {
			total += max(p.Autoscaling.Max, 0)
		} else if p.Size != nil {
			total += max(*p.Size, 0)
		}
	}
	if maxNodes > 0 && total > maxNodes {
		is.hint("spec.pools", fmt.Sprintf("the pools may reach %d nodes: a %s cluster holds at most %d", total, s.Type, maxNodes), "lower sizes or autoscaling maxima, or pick a larger dedicated type")
	}
}

func validatePool(is *issues, pp string, p *Pool, s *ClusterSpec, kosmos bool, written func(string) bool) {
	validateName(is, pp+".name", p.Name, maxPoolName)
	external := p.IsExternal()
	switch {
	case p.NodeType == "":
		is.hint(pp+".nodeType", "required", "a Scaleway Instance type such as PRO2-S, or external (Kosmos only)")
	case !nodeTypeRE.MatchString(p.NodeType):
		is.addf(pp+".nodeType", "invalid node type %q", p.NodeType)
	case external && !kosmos:
		is.hint(pp+".nodeType", "external pools exist only in Kosmos clusters", "use type: multicloud, or a Scaleway Instance type")
	}
	if p.Zone != "" {
		zr := ZoneRegion(p.Zone)
		switch {
		case zr == "":
			is.hint(pp+".zone", fmt.Sprintf("unknown zone %q", p.Zone), "zones are <region>-<n>, e.g. fr-par-1")
		case !kosmos && Regions[s.Region] != nil && zr != s.Region:
			is.hint(pp+".zone", fmt.Sprintf("zone %s is not in the cluster's region %s", p.Zone, s.Region), "Kapsule pools must be in "+oneOf(Regions[s.Region]))
		}
	}

	as := p.Autoscaling
	autoscaling := as != nil && as.Enabled
	if p.Size != nil && *p.Size < 0 {
		is.addf(pp+".size", "must not be negative, got %d", *p.Size)
	}
	if as != nil {
		ap := pp + ".autoscaling"
		if autoscaling && !written(ap+".min") {
			is.hint(ap+".min", "required when autoscaling is enabled", "set min and max")
		}
		if autoscaling && !written(ap+".max") {
			is.hint(ap+".max", "required when autoscaling is enabled", "set min and max")
		}
		if as.Min < 0 {
			is.addf(ap+".min", "must not be negative, got %d", as.Min)
		}
		if autoscaling && as.Max < 1 && written(ap+".max") {
			is.addf(ap+".max", "must be at least 1, got %d", as.Max)
		}
		if as.Min > as.Max && as.Max >= 1 {
			is.addf(ap+".min", "must be <= max (%d)", as.Max)
		}
		if autoscaling && p.Size != nil && *p.Size >= 0 {
			if as.Min > *p.Size {
				is.addf(ap+".min", "must be <= size (%d)", *p.Size)
			}
			if *p.Size > as.Max && as.Max >= 1 {
				is.addf(ap+".max", "must be >= size (%d)", *p.Size)
			}
		}
		if autoscaling && external {
			is.add(ap+".enabled", "external pools cannot autoscale: their nodes are added by hand")
		}
	}
	if !autoscaling && p.Size == nil {
		is.hint(pp+".size", "required when autoscaling is off", "set size, or enable autoscaling with min and max")
	}
	if p.Version != "" {
		validateVersion(is, pp+".version", p.Version, false)
	}
	validateTags(is, pp+".tags", p.Tags)
	for _, k := range sortedKeys(p.Labels) {
		lp := pp + ".labels[" + k + "]"
		if errs := content.IsLabelKey(k); len(errs) > 0 {
			is.addf(lp, "invalid label key %q: %s", k, strings.Join(errs, "; "))
		}
		if errs := content.IsLabelValue(p.Labels[k]); len(errs) > 0 {
			is.addf(lp, "invalid label value %q: %s", p.Labels[k], strings.Join(errs, "; "))
		}
	}
	validateTaints(is, pp+".taints", p.Taints)
	validateTaints(is, pp+".startupTaints", p.StartupTaints)
	for _, k := range sortedKeys(p.KubeletArgs) {
		if !argRE.MatchString(k) {
			is.hint(pp+".kubeletArgs["+k+"]", fmt.Sprintf("invalid kubelet argument name %q", k), "names are camelCase, as in maxPods")
		}
	}
	if p.ContainerRuntime != DefaultContainerRuntime {
		is.hint(pp+".containerRuntime", fmt.Sprintf("unknown container runtime %q", p.ContainerRuntime), "containerd is the only runtime")
	}
	if rv := p.RootVolume; rv != nil {
		switch {
		case rv.Type == "b_ssd":
			is.hint(pp+".rootVolume.type", "b_ssd is deprecated", "use sbs_5k")
		case rv.Type != "" && !slices.Contains(volumeTypes, rv.Type):
			is.hint(pp+".rootVolume.type", fmt.Sprintf("unknown root volume type %q", rv.Type), "one of "+oneOf(volumeTypes))
		}
		if rv.SizeGB < 0 {
			is.addf(pp+".rootVolume.sizeGB", "must not be negative, got %d", rv.SizeGB)
		}
		if external {
			is.add(pp+".rootVolume", "external pools have no Scaleway root volume")
		}
	}
	validateUUID(is, pp+".placementGroupID", p.PlacementGroupID)
	validateUUID(is, pp+".securityGroupID", p.SecurityGroupID)
	validateUUID(is, pp+".privateNetworkID", p.PrivateNetworkID)
	if p.PrivateNetworkID != "" && kosmos {
		is.hint(pp+".privateNetworkID", "Kosmos (multicloud) pools cannot use a Private Network", "remove it")
	}
	if up := p.UpgradePolicy; up != nil {
		if up.MaxSurge != nil && *up.MaxSurge < 0 {
			is.addf(pp+".upgradePolicy.maxSurge", "must not be negative, got %d", *up.MaxSurge)
		}
		if up.MaxUnavailable != nil && *up.MaxUnavailable < 0 {
			is.addf(pp+".upgradePolicy.maxUnavailable", "must not be negative, got %d", *up.MaxUnavailable)
		}
		if up.MaxSurge != nil && up.MaxUnavailable != nil && *up.MaxSurge == 0 && *up.MaxUnavailable == 0 {
			is.hint(pp+".upgradePolicy", "maxSurge and maxUnavailable cannot both be 0: an upgrade could never progress", "set maxSurge: 1")
		}
	}
	if g := p.MaxTerminationGracePeriod; g != nil {
		if g.Duration <= 0 {
			is.addf(pp+".maxTerminationGracePeriod", "must be positive, got %s", g)
		} else if g.Duration > time.Hour {
			is.addf(pp+".maxTerminationGracePeriod", "must be at most 1h, got %s", g)
		}
	}
	validateUserData(is, pp+".userData", p.UserData)
	if r := p.Rotation; r != nil {
		validateRotation(is, pp+".rotation", r)
		if external && r.Enabled != nil && *r.Enabled {
			is.hint(pp+".rotation.enabled", "the nodes of external pools cannot be replaced through the API", "set rotation.enabled: false (the default for external pools)")
		}
	}
}

func validateRotation(is *issues, rp string, r *Rotation) {
	for _, v := range RotationViolations(r) {
		is.hint(rp+"."+v.Field, v.Message, v.Hint)
	}
	if r.Window != nil {
		validateWindow(is, rp+".window", r.Window)
	}
}

// MinMaxAge is the shortest rotation maxAge accepted.
const MinMaxAge = 24 * time.Hour

// RotationViolation is a rule of a rotation policy that a value breaks: the field under
// rotation, what is wrong, and how to fix it ("" when the message says it all).
type RotationViolation struct {
	Field, Message, Hint string
}

// RotationViolations checks a rotation policy's fields except its window (validateWindow, or
// window.Parse, checks that): the one set of rules that validation and the rotation planner
// (which fails closed on an invalid policy) both apply. Unset fields are not checked.
func RotationViolations(r *Rotation) []RotationViolation {
	var out []RotationViolation
	add := func(field, hint, format string, args ...any) {
		out = append(out, RotationViolation{Field: field, Message: fmt.Sprintf(format, args...), Hint: hint})
	}
	if b := r.Budget; b != nil {
		switch {
		case b.IsPercent && (b.Value < 1 || b.Value > 100):
			add("budget", "", "percentage must be between 1%% and 100%%, got %s", b)
		case !b.IsPercent && b.Value < 1:
			add("budget", "a budget of 0 would block rotation: disable it with rotation.enabled: false", "must be at least 1, got %s", b)
		}
	}
	if r.MaxAge != nil && r.MaxAge.Duration < MinMaxAge {
		add("maxAge", "Scaleway recommends replacing nodes every 30 days: 720h", "must be at least 24h, got %s", r.MaxAge)
	}
	if d := r.DrainTimeout; d != nil && d.Duration <= 0 {
		add("drainTimeout", "", "must be positive, got %s", d)
	}
	if r.OnDrainTimeout != "" && !slices.Contains(onTimeouts, r.OnDrainTimeout) {
		add("onDrainTimeout", "one of "+oneOf(onTimeouts), "unknown value %q", r.OnDrainTimeout)
	}
	if d := r.Deadline; d != nil {
		if d.Duration <= 0 {
			add("deadline", "", "must be positive, got %s", d)
		} else if r.MaxAge != nil && d.Duration < r.MaxAge.Duration {
			add("deadline", "", "must be >= maxAge (%s), got %s", r.MaxAge, d)
		}
	}
	return out
}

// validateWindow checks each part of a window on its own, so each error names its field.
func validateWindow(is *issues, wp string, w *Window) {
	if w.Schedule == "" {
		is.hint(wp+".schedule", "required", `a 5-field cron expression such as "0 3 * * SUN"`)
	} else if _, err := window.Parse(w.Schedule, time.Hour, ""); err != nil {
		is.hint(wp+".schedule", err.Error(), `minute hour day-of-month month day-of-week, e.g. "0 3 * * SUN"`)
	}
	switch d := w.Duration.Duration; {
	case d == 0:
		is.hint(wp+".duration", "required", `how long the window stays open, e.g. "4h"`)
	case d < 0:
		is.addf(wp+".duration", "must be positive, got %s", w.Duration)
	case d > 7*24*time.Hour:
		is.addf(wp+".duration", "must be at most 168h, got %s", w.Duration)
	}
	if w.TimeZone == "Local" {
		is.hint(wp+".timeZone", `"Local" depends on the machine`, "use an IANA name such as Europe/Paris")
	} else if w.TimeZone != "" {
		if _, err := time.LoadLocation(w.TimeZone); err != nil || strings.ContainsAny(w.TimeZone, " \t") {
			is.hint(wp+".timeZone", fmt.Sprintf("unknown time zone %q", w.TimeZone), "use an IANA name such as Europe/Paris or UTC")
		}
	}
}

// ValidClusterName reports whether name is one metadata.name accepts: what status files and
// reports are named by (status/<name>.yaml), so never a path of its own.
func ValidClusterName(name string) bool {
	return name != "" && len(name) <= maxClusterName && nameRE.MatchString(name)
}

func validateName(is *issues, p, name string, maxLen int) {
	switch {
	case name == "":
		is.add(p, "required")
	case len(name) > maxLen:
		is.addf(p, "must be at most %d characters, got %d", maxLen, len(name))
	case !nameRE.MatchString(name):
		is.hint(p, fmt.Sprintf("invalid name %q", name), "lowercase letters, digits and '-', starting and ending with a letter or digit")
	}
}

func validateRegion(is *issues, p, region string, required bool) {
	switch {
	case region == "" && required:
		is.hint(p, "required", "set spec.region, or defaults.region in reconciler.yaml; one of "+oneOf(RegionNames))
	case region != "" && Regions[region] == nil:
		is.hint(p, fmt.Sprintf("unknown region %q", region), "one of "+oneOf(RegionNames))
	}
}

func validateUUID(is *issues, p, id string) {
	if id == "" || uuidRE.MatchString(id) {
		return
	}
	hint := "a UUID such as 9c6a0a4c-6f0e-4e0a-9a57-0d7b1f1f2e3a"
	if uuidRE.MatchString(strings.ToLower(id)) {
		hint = "write it in lowercase, as Scaleway does"
	}
	is.hint(p, fmt.Sprintf("invalid UUID %q", id), hint)
}

// validateVersion checks a version string and returns it parsed.
func validateVersion(is *issues, p, v string, required bool) (Version, bool) {
	if v == "" {
		if required {
			is.hint(p, "required", `a minor such as "1.35" (follows its latest patch) or an exact "1.35.3"`)
		}
		return Version{}, false
	}
	pv, err := ParseVersion(v)
	if err != nil {
		is.hint(p, fmt.Sprintf("invalid version %q: must be MAJOR.MINOR or MAJOR.MINOR.PATCH", v), `e.g. "1.35" or "1.35.3", in quotes`)
		return Version{}, false
	}
	return pv, true
}

// userDataKey is what a pool's user-data key may be; maxUserData bounds all of a pool's values.
var userDataKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

const maxUserData = 64 << 10

func validateUserData(is *issues, p string, ud map[string]string) {
	total := 0
	for _, k := range sortedKeys(ud) {
		if !userDataKey.MatchString(k) {
			is.hint(p+"["+k+"]", fmt.Sprintf("invalid key %q", k), "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit")
		}
		total += len(ud[k])
	}
	if total > maxUserData {
		is.addf(p, "at most %d bytes in all, got %d", maxUserData, total)
	}
}

// ReservedTagPrefix starts the tags the reconciler writes (ownership, deletion protection):
// evidence a commit must not be able to set.
const ReservedTagPrefix = "reconciler.scaleway.dev/"

func validateTags(is *issues, p string, tags []string) {
	seen := map[string]bool{}
	for i, t := range tags {
		tp := p + "[" + strconv.Itoa(i) + "]"
		switch {
		case strings.TrimSpace(t) == "":
			is.add(tp, "must not be empty")
		case len(t) > maxTag:
			is.addf(tp, "must be at most %d characters", maxTag)
		case seen[t]:
			is.addf(tp, "duplicate tag %q", t)
		case strings.HasPrefix(t, ReservedTagPrefix):
			is.hint(tp, fmt.Sprintf("tag %q uses the reserved prefix %s", t, ReservedTagPrefix), "the reconciler sets these tags itself; remove it")
		}
		seen[t] = true
	}
}

// validateWords checks a list of names (feature gates, admission plugins).
func validateWords(is *issues, p string, words []string) {
	seen := map[string]bool{}
	for i, w := range words {
		wp := p + "[" + strconv.Itoa(i) + "]"
		switch {
		case w == "":
			is.add(wp, "must not be empty")
		case !argRE.MatchString(w):
			is.addf(wp, "invalid name %q", w)
		case seen[w]:
			is.addf(wp, "duplicate %q", w)
		}
		seen[w] = true
	}
}

func validateTaints(is *issues, p string, taints []Taint) {
	type ke struct{ key, effect string }
	seen := map[ke]int{}
	for i, t := range taints {
		tp := p + "[" + strconv.Itoa(i) + "]"
		if t.Key == "" {
			is.add(tp+".key", "required")
		} else if errs := content.IsLabelKey(t.Key); len(errs) > 0 {
			is.addf(tp+".key", "invalid taint key %q: %s", t.Key, strings.Join(errs, "; "))
		}
		if errs := content.IsLabelValue(t.Value); len(errs) > 0 {
			is.addf(tp+".value", "invalid taint value %q: %s", t.Value, strings.Join(errs, "; "))
		}
		if !slices.Contains(effects, t.Effect) {
			is.hint(tp+".effect", fmt.Sprintf("unknown taint effect %q", t.Effect), "one of "+oneOf(effects))
		}
		k := ke{t.Key, t.Effect}
		if first, dup := seen[k]; dup {
			is.addf(tp, "duplicate taint %s:%s (also %s[%d])", t.Key, t.Effect, p, first)
		} else {
			seen[k] = i
		}
	}
}

func validateAutoscaler(is *issues, a *Autoscaler) {
	if a == nil {
		return
	}
	const p = "spec.autoscaler"
	for _, d := range []struct{ field, v string }{{"scaleDownDelayAfterAdd", a.ScaleDownDelayAfterAdd}, {"scaleDownUnneededTime", a.ScaleDownUnneededTime}} {
		if d.v == "" {
			continue
		}
		if v, err := time.ParseDuration(d.v); err != nil {
			is.hint(p+"."+d.field, fmt.Sprintf("invalid duration %q", d.v), `e.g. "10m"`)
		} else if v < 0 {
			is.addf(p+"."+d.field, "must not be negative, got %s", d.v)
		}
	}
	if a.Estimator != "" && !slices.Contains(estimators, a.Estimator) {
		is.hint(p+".estimator", fmt.Sprintf("unknown estimator %q", a.Estimator), "one of "+oneOf(estimators))
	}
	if a.Expander != "" && !slices.Contains(expanders, a.Expander) {
		is.hint(p+".expander", fmt.Sprintf("unknown expander %q", a.Expander), "one of "+oneOf(expanders))
	}
	if t := a.ScaleDownUtilizationThreshold; t != nil && (*t <= 0 || *t > 1) {
		is.addf(p+".scaleDownUtilizationThreshold", "must be in (0, 1], got %g", *t)
	}
	if l := a.LogLevel; l != nil && (*l < 0 || *l > 10) {
		is.addf(p+".logLevel", "must be between 0 and 10, got %d", *l)
	}
}

func validateOIDC(is *issues, o *OpenIDConnect) {
	if o == nil {
		return
	}
	const p = "spec.openIDConnect"
	if o.IssuerURL == "" {
		is.add(p+".issuerURL", "required")
	} else if u, err := url.Parse(o.IssuerURL); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		is.hint(p+".issuerURL", fmt.Sprintf("invalid issuer URL %q: must be an https URL without query or fragment", o.IssuerURL), "e.g. https://accounts.example.com")
	}
	if o.ClientID == "" {
		is.add(p+".clientID", "required")
	}
}

func validateNetworks(is *issues, s *ClusterSpec) {
	var pod, svc netip.Prefix
	var err error
	if s.PodCIDR != "" {
		if pod, err = netip.ParsePrefix(s.PodCIDR); err != nil || pod != pod.Masked() {
			is.hint("spec.podCIDR", fmt.Sprintf("invalid CIDR %q", s.PodCIDR), "e.g. 100.64.0.0/15 (the API default)")
			pod = netip.Prefix{}
		}
	}
	if s.ServiceCIDR != "" {
		if svc, err = netip.ParsePrefix(s.ServiceCIDR); err != nil || svc != svc.Masked() {
			is.hint("spec.serviceCIDR", fmt.Sprintf("invalid CIDR %q", s.ServiceCIDR), "e.g. 10.32.0.0/20 (the API default)")
			svc = netip.Prefix{}
		}
	}
	if pod.IsValid() && svc.IsValid() && pod.Overlaps(svc) {
		is.addf("spec.serviceCIDR", "overlaps podCIDR %s", s.PodCIDR)
	}
	if s.ServiceDNSIP != "" {
		ip, err := netip.ParseAddr(s.ServiceDNSIP)
		switch {
		case err != nil:
			is.addf("spec.serviceDNSIP", "invalid IP address %q", s.ServiceDNSIP)
		case svc.IsValid() && !svc.Contains(ip):
			is.addf("spec.serviceDNSIP", "must be inside serviceCIDR %s", s.ServiceCIDR)
		}
	}
}

// validateSettings checks reconciler.yaml on its own.
func validateSettings(is *issues, s *Settings) {
	if s.APIVersion != "" && s.APIVersion != APIVersion {
		is.hint("apiVersion", fmt.Sprintf("unsupported API version %q", s.APIVersion), "apiVersion: "+APIVersion)
	}
	validateRegion(is, "defaults.region", s.Defaults.Region, false)
	validateUUID(is, "defaults.projectID", s.Defaults.ProjectID)
	if u := s.Defaults.Upgrade; u != nil && u.Window != nil {
		validateWindow(is, "defaults.upgrade.window", u.Window)
	}
	if r := s.Defaults.Rotation; r != nil {
		validateRotation(is, "defaults.rotation", r)
	}
	validateTags(is, "defaults.tags", s.Defaults.Tags)
	if s.Status != nil && s.Status.Branch != "" {
		is.hint("status.branch", "is not supported in reconciler.yaml (status would still go to the reconciled branch)",
			"remove it and pass --status-branch "+s.Status.Branch+" to reconciler run")
	}
	validateRolloutSettings(is, s.Rollout)
	validatePreflightSettings(is, s.Preflight)
	if l := s.Lifecycle; l != nil && l.PullRequests != nil {
		validatePullRequests(is, "lifecycle.pullRequests", l.PullRequests)
	}
	validateNotify(is, s.Notify)
	if s.Owner != "" && !ownerRE.MatchString(s.Owner) {
		is.hint("owner", fmt.Sprintf("invalid owner %q", s.Owner), "1 to 63 characters: lowercase letters, digits, '.', '_' and '-', starting and ending with a letter or digit")
	}
}

// validateACL checks spec.acl: CIDRs, each once, and at least one way in.
func validateACL(is *issues, a *ACL) {
	if len(a.Rules) == 0 && !a.ScalewayRanges {
		is.hint("spec.acl", "allows no one: the API server would be unreachable, drains included",
			"add rules (ip: 203.0.113.0/24), set scalewayRanges: true, or remove spec.acl to keep the API's default (everyone)")
	}
	seen := map[netip.Prefix]int{}
	for i, r := range a.Rules {
		path := fmt.Sprintf("spec.acl.rules[%d].ip", i)
		pfx, err := netip.ParsePrefix(r.IP)
		if err != nil {
			is.hint(path, fmt.Sprintf("invalid CIDR %q", r.IP), "an IPv4 or IPv6 range such as 203.0.113.0/24 (a single address: /32)")
			continue
		}
		if pfx != pfx.Masked() {
			is.hint(path, fmt.Sprintf("%s has host bits set", r.IP), "use "+pfx.Masked().String())
			continue
		}
		if j, dup := seen[pfx]; dup {
			is.addf(path, "duplicate of spec.acl.rules[%d]", j)
		}
		seen[pfx] = i
		if len(r.Description) > 200 {
			is.add(fmt.Sprintf("spec.acl.rules[%d].description", i), "must be at most 200 characters")
		}
	}
}

// validatePullRequests checks lifecycle.pullRequests of reconciler.yaml.
func validatePullRequests(is *issues, path string, p *PullRequestSettings) {
	if p.DaysBeforeDeprecation != nil && (*p.DaysBeforeDeprecation < 1 || *p.DaysBeforeDeprecation > 365) {
		is.hint(path+".daysBeforeDeprecation", fmt.Sprintf("%d is out of range", *p.DaysBeforeDeprecation), "1 to 365 days (default 30)")
	}
	switch p.Forge {
	case "", ForgeGitHub:
	case ForgeGitea:
		if p.URL == "" {
			is.hint(path+".url", "required with forge: gitea", "the Gitea server's base URL, e.g. https://gitea.example.com")
		}
	default:
		is.hint(path+".forge", fmt.Sprintf("unknown forge %q", p.Forge), "one of "+oneOf([]string{ForgeGitea, ForgeGitHub}))
	}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			is.hint(path+".url", fmt.Sprintf("invalid URL %q", p.URL), "an http(s) URL without credentials")
		}
	}
	if p.BaseBranch != "" && !validBranchName(p.BaseBranch) {
		is.hint(path+".baseBranch", fmt.Sprintf("invalid branch name %q", p.BaseBranch),
			"a git branch name such as main or release/1.x (no \"..\", spaces, ~ ^ : ? * [ \\, and no component starting with '.' or ending in .lock)")
	}
	if p.Repo != "" {
		if o, n, ok := strings.Cut(p.Repo, "/"); !ok || o == "" || n == "" || strings.Contains(n, "/") {
			is.hint(path+".repo", fmt.Sprintf("invalid repository %q", p.Repo), "owner/name")
		}
	}
	switch {
	case p.TokenEnv == "":
	case !envNameRE.MatchString(p.TokenEnv):
		is.hint(path+".tokenEnv", fmt.Sprintf("invalid environment variable name %q", p.TokenEnv), "the NAME of the variable holding the token (never the token)")
	case ownCredentialEnv(p.TokenEnv):
		is.hint(path+".tokenEnv", fmt.Sprintf("%s holds a credential of the reconciler itself, never a forge token: it would be sent to the forge", p.TokenEnv),
			"a variable holding only the forge token, e.g. "+defaultForgeTokenEnv)
	}
	if p.TokenFile != "" && !strings.HasPrefix(p.TokenFile, "/") {
		is.hint(path+".tokenFile", fmt.Sprintf("file %q must be an absolute path on the reconciler's host", p.TokenFile), "e.g. /var/run/secrets/forge-token")
	}
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// defaultForgeTokenEnv is where the forge token is read by default (pkg/lifecycle).
const defaultForgeTokenEnv = "RECONCILER_FORGE_TOKEN"

// ownCredentialEnv reports whether an environment variable holds a credential the reconciler
// itself runs with: the Scaleway keys (SCW_*, which alone may write the deletion evidence) and
// the passphrase of its commit-signing key. reconciler.yaml is written by whoever can commit;
// it never gets one of them read and sent elsewhere.
func ownCredentialEnv(name string) bool {
	n := strings.ToUpper(name)
	return strings.HasPrefix(n, "SCW_") || n == "RECONCILER_SIGN_KEY_PASSPHRASE"
}

// ValidOwner reports whether s can be an owner identity (reconciler.yaml owner:, --owner).
func ValidOwner(s string) bool { return ownerRE.MatchString(s) }

// ownerRE is what an owner identity may be: it becomes part of a tag value.
var ownerRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$`)

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
