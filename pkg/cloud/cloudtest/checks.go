package cloudtest

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

func checkCreateObserve(t *testing.T, h *harness) {
	versions := h.catalog(t)
	created := h.create(t, h.kapsule("c-create", versions[0], pool("default", 2), pool("big", 1)))
	if created.ID == "" || created.Status != "creating" {
		t.Errorf("create response: id %q status %q, want an id and creating", created.ID, created.Status)
	}
	if len(created.Pools) != 0 && len(created.Pools) != 2 {
		t.Errorf("create response has %d pools, want the 2 inline pools (or none yet)", len(created.Pools))
	}
	snap, err := h.Provider.Observe(h.ctx, h.Ref)
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	i := slices.IndexFunc(snap.Clusters, func(c cloud.Cluster) bool { return c.Name == "c-create" })
	if i < 0 {
		t.Fatalf("Observe does not list the created cluster: %+v", snap.Clusters)
	}
	if got := snap.Clusters[i]; got.ID != created.ID || got.ProjectID != h.Ref.ProjectID || got.Region != h.Ref.Region {
		t.Errorf("observed id/project/region = %q/%q/%q, want %q/%q/%q", got.ID, got.ProjectID, got.Region, created.ID, h.Ref.ProjectID, h.Ref.Region)
	}
	other, err := h.Provider.Observe(h.ctx, cloud.Ref{Region: h.Ref.Region, ProjectID: h.OtherProject})
	if err != nil {
		t.Fatalf("Observe other project: %v", err)
	}
	if len(other.Clusters) != 0 {
		t.Errorf("Observe of another project lists %d clusters, want 0", len(other.Clusters))
	}

	c := h.wait(t, created.ID, "convergence", converged)
	if c.Version != versions[0] || !slices.Contains(c.Tags, cloud.ManagedByTag) || c.Description != "contract c-create" {
		t.Errorf("cluster = version %q tags %v description %q", c.Version, c.Tags, c.Description)
	}
	p := poolByName(c, "default")
	if p == nil || len(c.Pools) != 2 {
		t.Fatalf("pools = %s, want default and big", poolStatuses(c))
	}
	if p.NodeType != "pro2_xxs" || p.Version != versions[0] || p.RootVolumeSizeGB != 30 || !p.Autohealing || p.ClusterID != c.ID {
		t.Errorf("pool default = node type %q version %q root %d GB autohealing %v cluster %q", p.NodeType, p.Version, p.RootVolumeSizeGB, p.Autohealing, p.ClusterID)
	}
	for _, n := range p.Nodes {
		if n.PoolID != p.ID || n.CreatedAt.IsZero() || n.ID == "" {
			t.Errorf("node %+v: want pool id %q, an id and a creation time", n, p.ID)
		}
	}
}

func checkPoolRequired(t *testing.T, h *harness) {
	versions := h.catalog(t)
	created := h.create(t, h.kapsule("c-nopool", versions[0]))
	h.wait(t, created.ID, "pool_required", func(c *cloud.Cluster) bool { return c.Status == "pool_required" })
	p, err := h.Provider.CreatePool(h.ctx, h.Ref.Region, created.ID, pool("first", 1))
	if err != nil {
		t.Fatalf("CreatePool on pool_required: %v", err)
	}
	if p.ID == "" || p.Name != "first" {
		t.Errorf("CreatePool returned %+v", p)
	}
	h.wait(t, created.ID, "ready with its first pool", converged)
	_, err = h.Provider.CreatePool(h.ctx, h.Ref.Region, created.ID, pool("first", 1))
	if !cloud.IsTerminal(err) {
		t.Errorf("duplicate pool name: err = %v, want a terminal error", err)
	}
}

func checkNotFound(t *testing.T, h *harness) {
	const missing = "00000000-0000-4000-8000-0000000000ff"
	_, err := h.Provider.GetCluster(h.ctx, h.Ref.Region, missing)
	if !cloud.IsNotFound(err) {
		t.Errorf("GetCluster(missing) err = %v, want not found", err)
	}
	if err := h.Provider.DeletePool(h.ctx, h.Ref.Region, missing); !cloud.IsNotFound(err) {
		t.Errorf("DeletePool(missing) err = %v, want not found", err)
	}
	if err := h.Provider.UpgradeCluster(h.ctx, h.Ref.Region, missing, "1.35.3", false); !cloud.IsNotFound(err) {
		t.Errorf("UpgradeCluster(missing) err = %v, want not found", err)
	}
	if err := h.Provider.ReplaceNode(h.ctx, h.Ref.Region, missing); !cloud.IsNotFound(err) {
		t.Errorf("ReplaceNode(missing) err = %v, want not found", err)
	}
}

func checkUpgradeRules(t *testing.T, h *harness) {
	versions := h.catalog(t)
	oldest, next, skip := versions[len(versions)-1], versions[len(versions)-2], versions[len(versions)-3]
	c := h.create(t, h.kapsule("c-upgrade", oldest, pool("default", 1)))
	h.wait(t, c.ID, "ready", converged)

	if err := h.Provider.UpgradeCluster(h.ctx, h.Ref.Region, c.ID, skip, false); !cloud.IsTerminal(err) {
		t.Errorf("upgrade %s → %s (skips a minor): err = %v, want terminal", oldest, skip, err)
	}
	if err := h.Provider.UpgradeCluster(h.ctx, h.Ref.Region, c.ID, minorOf(oldest)+".0", false); !cloud.IsTerminal(err) {
		t.Errorf("downgrade %s → %s.0: err = %v, want terminal", oldest, minorOf(oldest), err)
	}
	if err := h.Provider.UpgradeCluster(h.ctx, h.Ref.Region, c.ID, next, false); err != nil {
		t.Fatalf("upgrade %s → %s (next minor): %v", oldest, next, err)
	}
	got := h.wait(t, c.ID, "ready after upgrade", converged)
	p := got.Pools[0]
	if got.Version != next || p.Version != oldest {
		t.Errorf("after upgrade without pools: cluster %s pool %s, want %s and %s", got.Version, p.Version, next, oldest)
	}
	if err := h.Provider.UpgradePool(h.ctx, h.Ref.Region, p.ID, skip); !cloud.IsTerminal(err) {
		t.Errorf("upgrade pool to %s (not the cluster's version): err = %v, want terminal", skip, err)
	}
	if err := h.Provider.UpgradePool(h.ctx, h.Ref.Region, p.ID, next); err != nil {
		t.Fatalf("upgrade pool to %s: %v", next, err)
	}
	got = h.wait(t, c.ID, "pool upgraded", func(c *cloud.Cluster) bool { return converged(c) && c.Pools[0].Version == next })
	if got.Pools[0].Nodes[0].ID == p.Nodes[0].ID {
		t.Errorf("pool upgrade kept node %s, want it replaced by a new node", p.Nodes[0].ID)
	}
}

func checkTransientConflict(t *testing.T, h *harness) {
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-busy", versions[0], pool("default", 1)))
	desc := "busy"
	_, err := h.Provider.UpdateCluster(h.ctx, h.Ref.Region, c.ID, cloud.ClusterUpdate{Description: &desc})
	if err != nil && !cloud.IsTransient(err) {
		t.Fatalf("update while creating: err = %v, want nil or transient", err)
	}
	if h.SettleOnly && !cloud.IsTransient(err) {
		t.Errorf("update while creating: err = %v, want transient (409 transient_state)", err)
	}
	h.wait(t, c.ID, "ready", converged)
	if _, err := h.Provider.UpdateCluster(h.ctx, h.Ref.Region, c.ID, cloud.ClusterUpdate{Description: &desc}); err != nil {
		t.Fatalf("update when ready: %v", err)
	}
}

func checkPatch(t *testing.T, h *harness) {
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-patch", versions[0], pool("default", 1)))
	h.wait(t, c.ID, "ready", converged)
	tags := []string{cloud.ManagedByTag, "env=test"}
	au := cloud.AutoUpgrade{Enabled: true, Day: "monday", StartHour: 3}
	got, err := h.Provider.UpdateCluster(h.ctx, h.Ref.Region, c.ID, cloud.ClusterUpdate{Tags: &tags, AutoUpgrade: &au})
	if err != nil {
		t.Fatalf("UpdateCluster: %v", err)
	}
	if got.ID != c.ID {
		t.Errorf("UpdateCluster returned cluster %q, want %q", got.ID, c.ID)
	}
	after := h.wait(t, c.ID, "ready after patch", converged)
	if !slices.Equal(after.Tags, tags) || after.AutoUpgrade != au {
		t.Errorf("after patch: tags %v auto-upgrade %+v, want %v %+v", after.Tags, after.AutoUpgrade, tags, au)
	}
	if after.Description != "contract c-patch" || after.Version != versions[0] {
		t.Errorf("patch changed fields it did not name: description %q version %q", after.Description, after.Version)
	}
}

func checkPoolMutations(t *testing.T, h *harness) {
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-pool", versions[0], pool("default", 1)))
	got := h.wait(t, c.ID, "ready", converged)
	id := got.Pools[0].ID
	size, tags := 2, []string{"pool=default"}
	if _, err := h.Provider.UpdatePool(h.ctx, h.Ref.Region, id, cloud.PoolUpdate{Size: &size, Tags: &tags}); err != nil {
		t.Fatalf("UpdatePool: %v", err)
	}
	labels := map[string]string{"role": "web"}
	taints := []cloud.Taint{{Key: "dedicated", Value: "web", Effect: "NoSchedule"}}
	startup := []cloud.Taint{{Key: "init", Value: "1", Effect: "NoExecute"}}
	if err := h.Provider.SetPoolLabels(h.ctx, h.Ref.Region, id, labels); err != nil {
		t.Fatalf("SetPoolLabels while scaling: %v", err)
	}
	if err := h.Provider.SetPoolTaints(h.ctx, h.Ref.Region, id, taints); err != nil {
		t.Fatalf("SetPoolTaints: %v", err)
	}
	if err := h.Provider.SetPoolStartupTaints(h.ctx, h.Ref.Region, id, startup); err != nil {
		t.Fatalf("SetPoolStartupTaints: %v", err)
	}
	after := h.wait(t, c.ID, "scaled to 2", func(c *cloud.Cluster) bool { return converged(c) && c.Pools[0].Size == 2 })
	p := after.Pools[0]
	if len(p.Nodes) != 2 || !slices.Equal(p.Tags, tags) || !maps.Equal(p.Labels, labels) ||
		!slices.Equal(p.Taints, taints) || !slices.Equal(p.StartupTaints, startup) {
		t.Errorf("pool after mutations = nodes %d tags %v labels %v taints %v startup %v", len(p.Nodes), p.Tags, p.Labels, p.Taints, p.StartupTaints)
	}
	if p.Autohealing != true || p.NodeType != "pro2_xxs" {
		t.Errorf("UpdatePool changed fields it did not name: autohealing %v node type %q", p.Autohealing, p.NodeType)
	}
}

func checkReplaceNode(t *testing.T, h *harness) {
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-replace", versions[0], pool("default", 2)))
	got := h.wait(t, c.ID, "ready", converged)
	old := got.Pools[0].Nodes[0]
	if err := h.Provider.ReplaceNode(h.ctx, h.Ref.Region, old.ID); err != nil {
		t.Fatalf("ReplaceNode: %v", err)
	}
	after := h.wait(t, c.ID, "node replaced", func(c *cloud.Cluster) bool {
		return converged(c) && !slices.ContainsFunc(c.Pools[0].Nodes, func(n cloud.Node) bool { return n.ID == old.ID })
	})
	p := after.Pools[0]
	if p.Size != 2 || len(p.Nodes) != 2 {
		t.Errorf("after replace: size %d with %d nodes, want 2 and 2", p.Size, len(p.Nodes))
	}
	for _, n := range p.Nodes {
		if n.CreatedAt.Before(old.CreatedAt) {
			t.Errorf("node %s created %v, before the replaced node (%v)", n.ID, n.CreatedAt, old.CreatedAt)
		}
	}
}

func checkSetClusterType(t *testing.T, h *harness) {
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-type", versions[0], pool("default", 1)))
	h.wait(t, c.ID, "ready", converged)
	types, err := h.Provider.ListClusterAvailableTypes(h.ctx, h.Ref.Region, c.ID)
	if err != nil {
		t.Fatalf("ListClusterAvailableTypes: %v", err)
	}
	if !slices.Contains(types, "kapsule-dedicated-4") || slices.ContainsFunc(types, func(s string) bool { return s == "multicloud" }) {
		t.Fatalf("available types from kapsule = %v, want the kapsule family with kapsule-dedicated-4", types)
	}
	if err := h.Provider.SetClusterType(h.ctx, h.Ref.Region, c.ID, "multicloud"); !cloud.IsTerminal(err) {
		t.Errorf("set type to another family: err = %v, want terminal", err)
	}
	if err := h.Provider.SetClusterType(h.ctx, h.Ref.Region, c.ID, "kapsule-dedicated-4"); err != nil {
		t.Fatalf("SetClusterType: %v", err)
	}
	after := h.wait(t, c.ID, "ready as dedicated", converged)
	if after.Type != "kapsule-dedicated-4" {
		t.Errorf("type = %q, want kapsule-dedicated-4", after.Type)
	}
	// The dedicated tier starts a 30-day commitment: no lower type before commitment_ends_at.
	if end := after.CommitmentEndsAt; end == nil || end.Before(after.CreatedAt.Add(29*24*time.Hour)) {
		t.Errorf("commitment ends at %v, want about 30 days after the set-type (created %v)", end, after.CreatedAt)
	}
}

func checkNodeTypes(t *testing.T, h *harness) {
	zone := h.Ref.Region + "-1"
	z, err := h.Provider.ListNodeTypes(h.ctx, zone)
	if err != nil {
		t.Fatalf("ListNodeTypes(%s): %v", zone, err)
	}
	if z.Zone != zone || len(z.NodeTypes) == 0 {
		t.Fatalf("catalog of %s: zone %q with %d types, want the zone and its types", zone, z.Zone, len(z.NodeTypes))
	}
	for _, nt := range z.NodeTypes {
		if nt.Name == "" || nt.Zone != zone {
			t.Errorf("node type %+v: want a name and zone %s", nt, zone)
		}
	}
	// The contract's pools use PRO2-XXS: the catalog lists it, in any spelling.
	got, ok := z.Find("pro2_xxs")
	if !ok || got.Name != "PRO2-XXS" {
		t.Errorf("Find(pro2_xxs) = %+v, %v; want PRO2-XXS as the Instance API spells it", got, ok)
	}
	if _, ok := z.Find("PRO2-SS"); ok {
		t.Errorf("the catalog lists PRO2-SS, which no zone offers")
	}
	// A pool of a type the zone does not offer is refused as the API does: invalid_arguments.
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-types", versions[0], pool("default", 1)))
	h.wait(t, c.ID, "ready", converged)
	bad := pool("typo", 1)
	bad.NodeType = "PRO2-SS"
	_, err = h.Provider.CreatePool(h.ctx, h.Ref.Region, c.ID, bad)
	var te *cloud.TerminalError
	if !errors.As(err, &te) || te.Reason != "invalid_arguments" {
		t.Errorf("CreatePool(PRO2-SS) err = %v, want a terminal invalid_arguments", err)
	}
}

func checkDelete(t *testing.T, h *harness) {
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-delete", versions[0], pool("a", 1), pool("b", 1)))
	got := h.wait(t, c.ID, "ready", converged)
	if err := h.Provider.DeletePool(h.ctx, h.Ref.Region, poolByName(got, "b").ID); err != nil {
		t.Fatalf("DeletePool: %v", err)
	}
	after := h.wait(t, c.ID, "pool b gone", func(c *cloud.Cluster) bool { return converged(c) && len(c.Pools) == 1 })
	if after.Pools[0].Name != "a" {
		t.Errorf("remaining pool = %q, want a", after.Pools[0].Name)
	}
	if err := h.Provider.DeleteCluster(h.ctx, h.Ref.Region, c.ID); err != nil {
		t.Fatalf("DeleteCluster: %v", err)
	}
	h.waitGone(t, c.ID)
	snap, err := h.Provider.Observe(h.ctx, h.Ref)
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	if slices.ContainsFunc(snap.Clusters, func(x cloud.Cluster) bool { return x.ID == c.ID }) {
		t.Errorf("deleted cluster still observed")
	}
}

func checkKubeconfig(t *testing.T, h *harness) {
	versions := h.catalog(t)
	c := h.create(t, h.kapsule("c-kubeconfig", versions[0], pool("default", 1)))
	h.wait(t, c.ID, "ready", converged)
	kc, err := h.Provider.Kubeconfig(h.ctx, h.Ref.Region, c.ID)
	if err != nil {
		t.Fatalf("Kubeconfig: %v", err)
	}
	for _, want := range []string{"apiVersion", "clusters:", "server:", "users:"} {
		if !bytes.Contains(kc, []byte(want)) {
			t.Errorf("kubeconfig lacks %q:\n%s", want, kc)
		}
	}
}
