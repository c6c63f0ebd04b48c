package plan

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// ClusterUpdateFor turns an update-cluster action into the PATCH to send, from the action alone
// (it works on a plan read back from JSON): each change's After value, laid over live for the
// grouped fields (auto-upgrade, autoscaler, OIDC) so fields the plan does not change keep their
// live values.
func ClusterUpdateFor(a Action, live cloud.Cluster) (cloud.ClusterUpdate, error) {
	var u cloud.ClusterUpdate
	if a.Type != UpdateCluster {
		return u, fmt.Errorf("action %s is %s, not %s", a.ID, a.Type, UpdateCluster)
	}
	au, as, oidc := live.AutoUpgrade, live.Autoscaler, live.OpenIDConnect
	for _, c := range a.Changes {
		var err error
		switch p := c.Path; {
		case p == "spec.description":
			u.Description, err = ptr(decode[string](c.After))
		case p == "spec.tags":
			u.Tags, err = ptr(decode[[]string](c.After))
		case p == "spec.featureGates":
			u.FeatureGates, err = ptr(decode[[]string](c.After))
		case p == "spec.admissionPlugins":
			u.AdmissionPlugins, err = ptr(decode[[]string](c.After))
		case p == "spec.apiserverCertSANs":
			u.APIServerCertSANs, err = ptr(decode[[]string](c.After))
		case p == "spec.autoUpgrade.enabled":
			au.Enabled, err = decode[bool](c.After)
			u.AutoUpgrade = &au
		case p == "spec.autoUpgrade.maintenanceWindow.day":
			au.Day, err = decode[string](c.After)
			u.AutoUpgrade = &au
		case p == "spec.autoUpgrade.maintenanceWindow.startHour":
			au.StartHour, err = decode[int](c.After)
			u.AutoUpgrade = &au
		case strings.HasPrefix(p, "spec.autoscaler."):
			err = setJSONField(&as, strings.TrimPrefix(p, "spec.autoscaler."), c.After)
			u.Autoscaler = &as
		case strings.HasPrefix(p, "spec.openIDConnect."):
			err = setJSONField(&oidc, strings.TrimPrefix(p, "spec.openIDConnect."), c.After)
			u.OpenIDConnect = &oidc
		default:
			err = fmt.Errorf("unknown path")
		}
		if err != nil {
			return u, fmt.Errorf("action %s change %s: %w", a.ID, c.Path, err)
		}
	}
	return u, nil
}

// PoolPatch is what an update-pool action sends: the PATCH and the three dedicated PUTs
// (labels, taints, startup taints); nil means "not part of this action".
type PoolPatch struct {
	Update        cloud.PoolUpdate
	Labels        *map[string]string
	Taints        *[]cloud.Taint
	StartupTaints *[]cloud.Taint
}

// PoolPatchFor turns an update-pool action into the calls to make, from the action alone; the
// upgrade policy is laid over live's so an unchanged half keeps its live value.
func PoolPatchFor(a Action, live cloud.Pool) (PoolPatch, error) {
	var pp PoolPatch
	if a.Type != UpdatePool {
		return pp, fmt.Errorf("action %s is %s, not %s", a.ID, a.Type, UpdatePool)
	}
	u := &pp.Update
	for _, c := range a.Changes {
		i := strings.Index(c.Path, "].")
		if !strings.HasPrefix(c.Path, "spec.pools[") || i < 0 {
			return pp, fmt.Errorf("action %s: unknown path %s", a.ID, c.Path)
		}
		var err error
		switch f := c.Path[i+2:]; f {
		case "size":
			u.Size, err = ptr(decode[int](c.After))
		case "autoscaling.enabled":
			u.Autoscaling, err = ptr(decode[bool](c.After))
		case "autoscaling.min":
			u.MinSize, err = ptr(decode[int](c.After))
		case "autoscaling.max":
			u.MaxSize, err = ptr(decode[int](c.After))
		case "autohealing":
			u.Autohealing, err = ptr(decode[bool](c.After))
		case "tags":
			u.Tags, err = ptr(decode[[]string](c.After))
		case "kubeletArgs":
			u.KubeletArgs, err = ptr(decode[map[string]string](c.After))
		case "upgradePolicy.maxSurge", "upgradePolicy.maxUnavailable":
			if u.UpgradePolicy == nil {
				up := live.UpgradePolicy
				u.UpgradePolicy = &up
			}
			n, e := decode[int](c.After)
			if f == "upgradePolicy.maxSurge" {
				u.UpgradePolicy.MaxSurge = n
			} else {
				u.UpgradePolicy.MaxUnavailable = n
			}
			err = e
		case "securityGroupID":
			u.SecurityGroupID, err = ptr(decode[string](c.After))
		case "maxTerminationGracePeriod":
			var s string
			if s, err = decode[string](c.After); err == nil {
				var d time.Duration
				if d, err = time.ParseDuration(s); err == nil {
					secs := int(d / time.Second)
					u.MaxTerminationGracePeriod = &secs
				}
			}
		case "labels":
			pp.Labels, err = ptr(decode[map[string]string](c.After))
		case "taints":
			pp.Taints, err = ptr(taintsOf(c.After))
		case "startupTaints":
			pp.StartupTaints, err = ptr(taintsOf(c.After))
		default:
			err = fmt.Errorf("unknown field")
		}
		if err != nil {
			return pp, fmt.Errorf("action %s change %s: %w", a.ID, c.Path, err)
		}
	}
	return pp, nil
}

func taintsOf(v any) ([]cloud.Taint, error) {
	ts, err := decode[[]spec.Taint](v)
	if err != nil {
		return nil, err
	}
	return cloudTaints(ts), nil
}

// decode converts a change value, typed or read back from JSON, to T.
func decode[T any](v any) (T, error) {
	var out T
	if t, ok := v.(T); ok {
		return t, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("value %s: %w", b, err)
	}
	return out, nil
}

func ptr[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// setJSONField sets the field of dst (a cloud struct) that the spec calls name (lowerCamel), via
// the field table used to compute the change.
func setJSONField[T any](dst *T, name string, v any) error {
	switch d := any(dst).(type) {
	case *cloud.Autoscaler:
		return setAutoscaler(d, name, v)
	case *cloud.OpenIDConnect:
		return setOIDC(d, name, v)
	}
	return fmt.Errorf("unsupported type %T", dst)
}

func setAutoscaler(a *cloud.Autoscaler, name string, v any) (err error) {
	switch name {
	case "scaleDownDisabled":
		a.ScaleDownDisabled, err = decode[bool](v)
	case "scaleDownDelayAfterAdd":
		a.ScaleDownDelayAfterAdd, err = decode[string](v)
	case "estimator":
		a.Estimator, err = decode[string](v)
	case "expander":
		a.Expander, err = decode[string](v)
	case "ignoreDaemonsetsUtilization":
		a.IgnoreDaemonsetsUtilization, err = decode[bool](v)
	case "balanceSimilarNodeGroups":
		a.BalanceSimilarNodeGroups, err = decode[bool](v)
	case "expendablePodsPriorityCutoff":
		a.ExpendablePodsPriorityCutoff, err = decode[int32](v)
	case "scaleDownUnneededTime":
		a.ScaleDownUnneededTime, err = decode[string](v)
	case "scaleDownUtilizationThreshold":
		a.ScaleDownUtilizationThreshold, err = decode[float32](v)
	case "maxGracefulTerminationSec":
		a.MaxGracefulTerminationSec, err = decode[uint32](v)
	case "skipNodesWithLocalStorage":
		a.SkipNodesWithLocalStorage, err = decode[bool](v)
	case "logLevel":
		a.LogLevel, err = decode[int32](v)
	default:
		err = fmt.Errorf("unknown autoscaler field")
	}
	return err
}

func setOIDC(o *cloud.OpenIDConnect, name string, v any) (err error) {
	switch name {
	case "issuerURL":
		o.IssuerURL, err = decode[string](v)
	case "clientID":
		o.ClientID, err = decode[string](v)
	case "usernameClaim":
		o.UsernameClaim, err = decode[string](v)
	case "usernamePrefix":
		o.UsernamePrefix, err = decode[string](v)
	case "groupsClaim":
		o.GroupsClaim, err = decode[[]string](v)
	case "groupsPrefix":
		o.GroupsPrefix, err = decode[string](v)
	case "requiredClaim":
		o.RequiredClaim, err = decode[[]string](v)
	default:
		err = fmt.Errorf("unknown openIDConnect field")
	}
	return err
}
