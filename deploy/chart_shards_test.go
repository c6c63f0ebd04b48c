package deploy

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func withShards(count, id int, leaderElection bool) map[string]any {
	vals := defaultValues()
	vals["shards"] = map[string]any{"count": count, "id": id}
	vals["leaderElection"] = map[string]any{"enabled": leaderElection}
	return vals
}

func withGitLease(vals map[string]any, mode string) map[string]any {
	vals["gitLease"] = mode
	return vals
}

func leaseVerbs(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "Role" {
			continue
		}
		rules, _, _ := unstructured.NestedSlice(o.Object, "rules")
		verbs, _, _ := unstructured.NestedStringSlice(rules[0].(map[string]any), "verbs")
		return verbs
	}
	return nil
}

// Shards shared through Leases: --shards without --shard-id, and the Role may list Leases (each
// replica lists its group's once per round). A release pinned to one shard: --shard-id, no list.
func TestChartShards(t *testing.T) {
	objs := mustRender(t, withShards(3, -1, true))
	d := toDeployment(t, theOne(t, objs, "Deployment"))
	args := d.Spec.Template.Spec.Containers[0].Args
	if !slices.Contains(args, "--shards=3") || hasArg(args, "--shard-id") || !hasArg(args, "--leader-elect") {
		t.Errorf("shared shards: args %v", args)
	}
	if v := leaseVerbs(t, objs); !slices.Equal(v, []string{"get", "list", "create", "update", "delete"}) {
		t.Errorf("shared shards: Role verbs %v, want get, list, create, update, delete", v)
	}

	objs = mustRender(t, withShards(3, -1, false)) // shared through git leases: no Role
	args = toDeployment(t, theOne(t, objs, "Deployment")).Spec.Template.Spec.Containers[0].Args
	if !slices.Contains(args, "--shards=3") || hasArg(args, "--shard-id") || hasArg(args, "--leader-elect") || leaseVerbs(t, objs) != nil {
		t.Errorf("shards on git leases: args %v", args)
	}

	objs = mustRender(t, withShards(4, 2, false))
	args = toDeployment(t, theOne(t, objs, "Deployment")).Spec.Template.Spec.Containers[0].Args
	if !slices.Contains(args, "--shards=4") || !slices.Contains(args, "--shard-id=2") || hasArg(args, "--leader-elect") {
		t.Errorf("static shard: args %v", args)
	}

	args = toDeployment(t, theOne(t, mustRender(t, defaultValues()), "Deployment")).Spec.Template.Spec.Containers[0].Args
	if hasArg(args, "--shards") || hasArg(args, "--shard-id") {
		t.Errorf("defaults shard: %v", args)
	}
	if v := leaseVerbs(t, mustRender(t, defaultValues())); slices.Contains(v, "list") {
		t.Errorf("defaults: the Role may list Leases: %v", v)
	}
}

func TestChartShardsRefusesBadValues(t *testing.T) {
	for _, tc := range []struct {
		vals map[string]any
		want string
	}{
		{withGitLease(withShards(3, -1, false), "none"), "enable leaderElection or leave gitLease on"},
		{withShards(3, 3, true), "shards.id 3: want -1 (shared) or 0 to 2"},
		{withShards(0, -1, true), "count"},
	} {
		if _, err := renderChart(t, tc.vals); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.vals["shards"], err, tc.want)
		}
	}
}

// The sharded chart's objects are accepted by a real kube-apiserver.
func TestChartShardsAgainstAPIServer(t *testing.T) {
	s := startAPIServer(t)
	s.ensureNamespace(t, releaseNS)
	n := s.dryRunCreate(t, mustRender(t, withShards(3, -1, true)), "ServiceMonitor")
	t.Logf("the API server accepted %d objects of the sharded chart", n)
}
