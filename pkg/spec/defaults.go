package spec

import (
	"slices"
	"strconv"
	"time"
)

// Built-in defaults. They are applied by Default, and only there.
const (
	// DefaultType is the cluster type when spec.type is empty.
	DefaultType = TypeKapsule
	// DefaultKapsuleCNI is Kapsule's CNI when spec.cni is empty.
	DefaultKapsuleCNI = "cilium"
	// KosmosCNI is the only CNI of Kosmos (multicloud) clusters, and their default.
	KosmosCNI = "kilo"
	// DefaultDrift is what happens to live fields that differ from the spec.
	DefaultDrift = DriftRevert
	// DefaultContainerRuntime is the only runtime the API offers.
	DefaultContainerRuntime = "containerd"
	// DefaultMaxAge is Scaleway's recommended node lifespan (30 days).
	DefaultMaxAge = 720 * time.Hour
	// DefaultDeadlineGrace is added to MaxAge for the default rotation deadline.
	DefaultDeadlineGrace = 168 * time.Hour
	// DefaultDrainTimeout bounds one node's drain.
	DefaultDrainTimeout = 30 * time.Minute
	// DefaultBudget is how many nodes of a pool are replaced at once.
	DefaultBudget = 1
	// DefaultOnDrainTimeout is what happens when a drain times out.
	DefaultOnDrainTimeout = OnDrainTimeoutSkip
)

// Drift values.
const (
	DriftRevert = "revert"
	DriftReport = "report"
)

// Default fills every unset field that has a built-in default, in place. It is idempotent.
// A field it leaves nil or empty is not managed by the reconciler: the API keeps (or, on create,
// chooses) its own value.
//
// Cluster:
//   - type: kapsule
//   - cni: cilium for kapsule types, kilo for multicloud types
//   - deletionProtection: true
//   - drift: revert
//   - prune stays false; upgrade window nil means upgrades may run at any time
//   - autoUpgrade, autoscaler, OIDC, CIDRs: nil/empty, the API's defaults
//
// Pool:
//   - zone: the region's first zone (fr-par → fr-par-1), as the API does
//   - containerRuntime: containerd
//   - autohealing, upgradePolicy, rootVolume, maxTerminationGracePeriod: nil, the API's defaults
//   - rotation (always non-nil after Default): enabled true (false for external pools, whose
//     nodes the API cannot replace), maxAge 720h, budget 1, drainTimeout 30m, onDrainTimeout
//     skip, deadline maxAge+168h; window nil means rotation may run at any time
func Default(c *Cluster) {
	s := &c.Spec
	if s.Type == "" {
		s.Type = DefaultType
	}
	if s.CNI == "" {
		if IsKosmos(s.Type) {
			s.CNI = KosmosCNI
		} else {
			s.CNI = DefaultKapsuleCNI
		}
	}
	if s.DeletionProtection == nil {
		s.DeletionProtection = ptr(true)
	}
	if s.Drift == "" {
		s.Drift = DefaultDrift
	}
	for i := range s.Pools {
		p := &s.Pools[i]
		if p.Zone == "" && s.Region != "" {
			p.Zone = s.Region + "-1"
		}
		if p.ContainerRuntime == "" {
			p.ContainerRuntime = DefaultContainerRuntime
		}
		if p.Rotation == nil {
			p.Rotation = &Rotation{}
		}
		defaultRotation(p.Rotation, p.IsExternal())
	}
}

// DefaultedRotation is a copy of r (nil: every default) with the defaults applied: the one place
// rotation defaults are written, for specs that did not go through Default.
func DefaultedRotation(r *Rotation) Rotation {
	var out Rotation
	if r != nil {
		out = *r
	}
	defaultRotation(&out, false)
	return out
}

func defaultRotation(r *Rotation, external bool) {
	if r.Enabled == nil {
		r.Enabled = ptr(!external)
	}
	if r.MaxAge == nil {
		r.MaxAge = &Duration{DefaultMaxAge}
	}
	if r.Budget == nil {
		r.Budget = &IntOrPercent{Value: DefaultBudget}
	}
	if r.DrainTimeout == nil {
		r.DrainTimeout = &Duration{DefaultDrainTimeout}
	}
	if r.OnDrainTimeout == "" {
		r.OnDrainTimeout = DefaultOnDrainTimeout
	}
	if r.Deadline == nil {
		r.Deadline = &Duration{r.MaxAge.Duration + DefaultDeadlineGrace}
	}
}

// applySettings merges the repo-level defaults of reconciler.yaml under the cluster: the
// cluster's own values win.
//   - projectID, region: used when the cluster leaves them empty
//   - upgrade: used when the cluster has none; upgrade.window likewise
//   - rotation: merged field by field under each pool's rotation (enabled is not inherited by
//     external pools)
//   - tags: appended to the cluster's tags, skipping those already present
//
// It returns which cluster paths were filled from which settings paths, so errors in inherited
// values point at reconciler.yaml.
func applySettings(c *Cluster, s *Settings) map[string]string {
	origins := map[string]string{}
	if s == nil {
		return origins
	}
	d, cs := &s.Defaults, &c.Spec
	if cs.ProjectID == "" && d.ProjectID != "" {
		cs.ProjectID = d.ProjectID
		origins["spec.projectID"] = "defaults.projectID"
	}
	if cs.Region == "" && d.Region != "" {
		cs.Region = d.Region
		origins["spec.region"] = "defaults.region"
	}
	if d.Upgrade != nil {
		switch {
		case cs.Upgrade == nil:
			cs.Upgrade = &UpgradePolicy{Window: cloneWindow(d.Upgrade.Window), IgnoreRemovedAPIs: d.Upgrade.IgnoreRemovedAPIs}
			origins["spec.upgrade"] = "defaults.upgrade"
		case cs.Upgrade.Window == nil && d.Upgrade.Window != nil:
			cs.Upgrade.Window = cloneWindow(d.Upgrade.Window)
			origins["spec.upgrade.window"] = "defaults.upgrade.window"
		}
	}
	for j, t := range d.Tags {
		if !slices.Contains(cs.Tags, t) {
			origins["spec.tags["+strconv.Itoa(len(cs.Tags))+"]"] = "defaults.tags[" + strconv.Itoa(j) + "]"
			cs.Tags = append(cs.Tags, t)
		}
	}
	if d.Rotation != nil {
		for i := range cs.Pools {
			p := &cs.Pools[i]
			if p.Rotation == nil {
				p.Rotation = &Rotation{}
			}
			mergeRotation(p.Rotation, d.Rotation, p.IsExternal(), "spec.pools["+strconv.Itoa(i)+"].rotation", origins)
		}
	}
	return origins
}

func mergeRotation(r, d *Rotation, external bool, path string, origins map[string]string) {
	from := func(field string) { origins[path+"."+field] = "defaults.rotation." + field }
	if r.Enabled == nil && d.Enabled != nil && !external {
		r.Enabled = ptr(*d.Enabled)
		from("enabled")
	}
	if r.MaxAge == nil && d.MaxAge != nil {
		r.MaxAge = &Duration{d.MaxAge.Duration}
		from("maxAge")
	}
	if r.Window == nil && d.Window != nil {
		r.Window = cloneWindow(d.Window)
		from("window")
	}
	if r.Budget == nil && d.Budget != nil {
		b := *d.Budget
		r.Budget = &b
		from("budget")
	}
	if r.DrainTimeout == nil && d.DrainTimeout != nil {
		r.DrainTimeout = &Duration{d.DrainTimeout.Duration}
		from("drainTimeout")
	}
	if r.OnDrainTimeout == "" && d.OnDrainTimeout != "" {
		r.OnDrainTimeout = d.OnDrainTimeout
		from("onDrainTimeout")
	}
	if r.Deadline == nil && d.Deadline != nil {
		r.Deadline = &Duration{d.Deadline.Duration}
		from("deadline")
	}
}

func cloneWindow(w *Window) *Window {
	if w == nil {
		return nil
	}
	c := *w
	return &c
}

func ptr[T any](v T) *T { return &v }
