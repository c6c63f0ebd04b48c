package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Fingerprint hashes the parts of a live cluster a plan depends on: identity, type, version and
// configuration, and each pool's identity, version and configuration (size only when the
// autoscaler does not own it). Statuses, timestamps and nodes are left out: they move on their
// own without making a plan wrong, and the per-action checks handle them. "" means absent.
func Fingerprint(c *cloud.Cluster) string {
	if c == nil {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(fingerprintFields(c), "\n")))
	return hex.EncodeToString(sum[:8])
}

// fingerprintFields lists "field=value" lines in a fixed order, so two fingerprints can also be
// compared field by field to say what changed.
func fingerprintFields(c *cloud.Cluster) []string {
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	sorted := func(s []string) string { s = slices.Clone(s); slices.Sort(s); return j(s) }
	f := []string{
		"id=" + c.ID, "type=" + c.Type, "version=" + c.Version, "cni=" + c.CNI,
		"private_network_id=" + c.PrivateNetworkID, "description=" + c.Description,
		"tags=" + sorted(c.Tags), "auto_upgrade=" + j(c.AutoUpgrade), "autoscaler=" + j(c.Autoscaler),
		"open_id_connect=" + j(c.OpenIDConnect), "feature_gates=" + sorted(c.FeatureGates),
		"admission_plugins=" + sorted(c.AdmissionPlugins), "apiserver_cert_sans=" + sorted(c.APIServerCertSANs),
	}
	pools := slices.Clone(c.Pools)
	slices.SortFunc(pools, func(a, b cloud.Pool) int { return strings.Compare(a.Name, b.Name) })
	names := make([]string, 0, len(pools))
	for _, p := range pools {
		names = append(names, p.Name)
		size := p.Size
		if p.Autoscaling {
			size = -1
		}
		pf := map[string]string{
			"id": p.ID, "version": p.Version, "node_type": p.NodeType, "zone": p.Zone,
			"size": fmt.Sprint(size), "autoscaling": fmt.Sprint(p.Autoscaling, p.MinSize, p.MaxSize),
			"autohealing": fmt.Sprint(p.Autohealing), "tags": sorted(p.Tags), "labels": j(p.Labels),
			"taints": j(p.Taints), "startup_taints": j(p.StartupTaints), "kubelet_args": j(p.KubeletArgs),
			"runtime": p.ContainerRuntime, "root_volume": fmt.Sprint(p.RootVolumeType, p.RootVolumeSizeGB),
			"public_ip_disabled": fmt.Sprint(p.PublicIPDisabled), "placement_group_id": p.PlacementGroupID,
			"security_group_id": p.SecurityGroupID, "upgrade_policy": j(p.UpgradePolicy),
			"max_termination_grace_period": p.MaxTerminationGracePeriod.String(),
		}
		for _, k := range slices.Sorted(maps.Keys(pf)) {
			f = append(f, "pool["+p.Name+"]."+k+"="+pf[k])
		}
	}
	return append(f, "pools="+j(names))
}

// fingerprintDiff names the first fields that differ, for the stale-plan message.
func fingerprintDiff(before, after *cloud.Cluster) string {
	switch {
	case before == nil:
		return "cluster now exists"
	case after == nil:
		return "cluster is gone"
	}
	b, a := fingerprintFields(before), fingerprintFields(after)
	bm, am := map[string]string{}, map[string]string{}
	for _, l := range b {
		k, v, _ := strings.Cut(l, "=")
		bm[k] = v
	}
	for _, l := range a {
		k, v, _ := strings.Cut(l, "=")
		am[k] = v
	}
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(union(bm, am))) {
		if bm[k] != am[k] {
			diffs = append(diffs, fmt.Sprintf("%s %s → %s", k, orNone(bm[k]), orNone(am[k])))
		}
	}
	if len(diffs) > 3 {
		diffs = append(diffs[:3], fmt.Sprintf("and %d more", len(diffs)-3))
	}
	return strings.Join(diffs, ", ")
}

func union(a, b map[string]string) map[string]string {
	u := maps.Clone(a)
	maps.Copy(u, b)
	return u
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// checkStale compares the cluster as the plan saw it with a fresh observation. A cluster that
// was absent and now exists with the ownership tag is not stale: it is ours, from an earlier
// (interrupted) apply, and create-cluster adopts it.
func (r *clusterRun) checkStale(ctx context.Context, observed []*cloud.Snapshot) error {
	var before *cloud.Cluster
	for _, s := range observed {
		if s != nil && s.Ref.Region == r.ref.Region && (r.ref.ProjectID == "" || s.Ref.ProjectID == "" || s.Ref.ProjectID == r.ref.ProjectID) {
			if c := findCluster(s.Clusters, r.ref.Region, r.ref.ProjectID, r.name()); c != nil {
				before = c
				break
			}
		}
	}
	if before != nil && r.id == "" {
		r.id = before.ID
	}
	now, err := r.observe(ctx)
	if err != nil {
		return err
	}
	if before == nil && now != nil && owned(now) {
		return nil
	}
	if Fingerprint(before) != Fingerprint(now) {
		return &StalePlanError{Cluster: r.name(), Detail: fingerprintDiff(before, now)}
	}
	return nil
}
