package plan

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func goldenDirs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/plan/*/desired.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	var dirs []string
	for _, f := range files {
		dirs = append(dirs, filepath.Dir(f))
	}
	return dirs
}

// TestDeterministic: the same input in any order gives byte-identical JSON.
func TestDeterministic(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := loadCase(t, dir)
			want, wantErr := planJSON(in)
			rng := rand.New(rand.NewPCG(1, uint64(len(dir))))
			for i := 0; i < 20; i++ {
				got, err := planJSON(shuffled(t, in, rng))
				if fmt.Sprint(err) != fmt.Sprint(wantErr) {
					t.Fatalf("shuffle %d: error %v, want %v", i, err, wantErr)
				}
				if got != want {
					t.Fatalf("shuffle %d: plan differs:\n%s\nwant:\n%s", i, got, want)
				}
			}
		})
	}
}

func planJSON(in Input) (string, error) {
	p, err := Compute(in)
	if err != nil {
		return "", err
	}
	b, err := JSON(p)
	return string(b), err
}

// shuffled returns a deep copy of in with every list whose order carries no meaning shuffled.
func shuffled(t *testing.T, in Input, rng *rand.Rand) Input {
	out := in
	out.Snapshots = cloneSnapshots(t, in.Snapshots)
	out.Desired = slices.Clone(in.Desired)
	rng.Shuffle(len(out.Desired), func(i, j int) { out.Desired[i], out.Desired[j] = out.Desired[j], out.Desired[i] })
	rng.Shuffle(len(out.Snapshots), func(i, j int) { out.Snapshots[i], out.Snapshots[j] = out.Snapshots[j], out.Snapshots[i] })
	for _, s := range out.Snapshots {
		rng.Shuffle(len(s.Clusters), func(i, j int) { s.Clusters[i], s.Clusters[j] = s.Clusters[j], s.Clusters[i] })
		rng.Shuffle(len(s.Versions), func(i, j int) { s.Versions[i], s.Versions[j] = s.Versions[j], s.Versions[i] })
		for k := range s.Clusters {
			ps := s.Clusters[k].Pools
			rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
			rng.Shuffle(len(s.Clusters[k].Tags), func(i, j int) {
				s.Clusters[k].Tags[i], s.Clusters[k].Tags[j] = s.Clusters[k].Tags[j], s.Clusters[k].Tags[i]
			})
		}
	}
	return out
}

func cloneSnapshots(t testing.TB, s []*cloud.Snapshot) []*cloud.Snapshot {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out []*cloud.Snapshot
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReplanAfterApplyIsEmpty: carrying out a plan's actions (their payloads, what apply sends)
// on the snapshot and planning again gives a plan with no action.
func TestReplanAfterApplyIsEmpty(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := loadCase(t, dir)
			p, err := Compute(in)
			if err != nil {
				t.Skipf("plan error case: %v", err)
			}
			in.Snapshots = simulate(t, in, p)
			p2, err := Compute(in)
			if err != nil {
				t.Fatalf("re-plan: %v", err)
			}
			if !p2.Empty() {
				t.Errorf("re-plan is not empty:\n%s", Text(p2))
			}
			if p2.Summary.Deferred != p.Summary.Deferred {
				t.Errorf("deferred changed from %d to %d", p.Summary.Deferred, p2.Summary.Deferred)
			}
		})
	}
}

// simulate carries out p's actions on a copy of in's snapshots the way the API would.
func simulate(t *testing.T, in Input, p *Plan) []*cloud.Snapshot {
	t.Helper()
	snaps := cloneSnapshots(t, in.Snapshots)
	specs := map[string]*spec.Cluster{}
	for _, c := range in.Desired {
		specs[c.Metadata.Name] = c
	}
	find := func(cp ClusterPlan) (*cloud.Snapshot, int) {
		for _, s := range snaps {
			if s.Ref.Region != cp.Region || s.Ref.ProjectID != cp.ProjectID {
				continue
			}
			for i := range s.Clusters {
				if s.Clusters[i].Name == cp.Name {
					return s, i
				}
			}
			return s, -1
		}
		t.Fatalf("no snapshot for %s", cp.Name)
		return nil, -1
	}
	created := func(c *cloud.Cluster, np cloud.Pool) cloud.Pool {
		np.ID, np.ClusterID, np.Status, np.Version = "sim-"+np.Name, c.ID, "ready", c.Version
		return np
	}
	for _, cp := range p.Clusters {
		for _, a := range cp.Actions {
			s, i := find(cp)
			var c *cloud.Cluster
			if i >= 0 {
				c = &s.Clusters[i]
			}
			pl := a.Payload
			poolIdx := func() int {
				for j := range c.Pools {
					if c.Pools[j].Name == pl.Pool {
						return j
					}
				}
				t.Fatalf("%s: no pool %s", a.ID, pl.Pool)
				return -1
			}
			switch a.Type {
			case CreateCluster:
				d := *pl.Cluster
				d.ID, d.Status = "sim-"+cp.Name, "ready"
				d.Pools = nil
				for _, np := range pl.Cluster.Pools {
					d.Pools = append(d.Pools, created(&d, np))
				}
				s.Clusters = append(s.Clusters, d)
			case UpdateCluster:
				applyClusterUpdate(c, *pl.ClusterUpdate)
			case SetClusterType:
				c.Type = pl.Type
			case UpgradeCluster:
				c.Version = pl.Version
			case UpgradePool:
				c.Pools[poolIdx()].Version = pl.Version
			case CreatePool:
				c.Pools = append(c.Pools, created(c, *pl.NewPool))
			case UpdatePool:
				applyPoolPatch(&c.Pools[poolIdx()], *pl.PoolPatch)
			case ReplacePool:
				j := poolIdx()
				if pl.NewPool.ID == "" {
					c.Pools = append(c.Pools, created(c, *pl.NewPool))
				}
				c.Pools = slices.Delete(c.Pools, j, j+1)
			case DeletePool:
				j := poolIdx()
				c.Pools = slices.Delete(c.Pools, j, j+1)
			case DeleteCluster:
				s.Clusters = slices.Delete(s.Clusters, i, i+1)
			default:
				t.Fatalf("cannot simulate %s", a.Type)
			}
		}
	}
	return snaps
}

func specPool(t *testing.T, c *spec.Cluster, name string) spec.Pool {
	for _, p := range c.Spec.Pools {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no spec pool %s", name)
	return spec.Pool{}
}

func applyClusterUpdate(c *cloud.Cluster, u cloud.ClusterUpdate) {
	if u.Description != nil {
		c.Description = *u.Description
	}
	if u.Tags != nil {
		c.Tags = *u.Tags
	}
	if u.AutoUpgrade != nil {
		c.AutoUpgrade = *u.AutoUpgrade
	}
	if u.Autoscaler != nil {
		c.Autoscaler = *u.Autoscaler
	}
	if u.OpenIDConnect != nil {
		c.OpenIDConnect = *u.OpenIDConnect
	}
	if u.FeatureGates != nil {
		c.FeatureGates = *u.FeatureGates
	}
	if u.AdmissionPlugins != nil {
		c.AdmissionPlugins = *u.AdmissionPlugins
	}
	if u.APIServerCertSANs != nil {
		c.APIServerCertSANs = *u.APIServerCertSANs
	}
}

func applyPoolPatch(p *cloud.Pool, pp PoolPatch) {
	u := pp.Update
	if u.Size != nil {
		p.Size = *u.Size
	}
	if u.Autoscaling != nil {
		p.Autoscaling = *u.Autoscaling
	}
	if u.MinSize != nil {
		p.MinSize = *u.MinSize
	}
	if u.MaxSize != nil {
		p.MaxSize = *u.MaxSize
	}
	if u.Autohealing != nil {
		p.Autohealing = *u.Autohealing
	}
	if u.Tags != nil {
		p.Tags = *u.Tags
	}
	if u.KubeletArgs != nil {
		p.KubeletArgs = *u.KubeletArgs
	}
	if u.UpgradePolicy != nil {
		p.UpgradePolicy = *u.UpgradePolicy
	}
	if u.SecurityGroupID != nil {
		p.SecurityGroupID = *u.SecurityGroupID
	}
	if u.MaxTerminationGracePeriod != nil {
		p.MaxTerminationGracePeriod = secondsToDuration(*u.MaxTerminationGracePeriod)
	}
	if pp.Labels != nil {
		p.Labels = *pp.Labels
	}
	if pp.Taints != nil {
		p.Taints = *pp.Taints
	}
	if pp.StartupTaints != nil {
		p.StartupTaints = *pp.StartupTaints
	}
}

func secondsToDuration(s int) (d time.Duration) { return time.Duration(s) * time.Second }
