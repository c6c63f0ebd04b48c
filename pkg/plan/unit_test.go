package plan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func TestUpgradePath(t *testing.T) {
	eol := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	cat := newCatalog([]cloud.Version{{Name: "1.36.1"}, {Name: "1.35.3"}, {Name: "1.34.6", EndOfLifeAt: &eol}, {Name: "1.33.10", EndOfLifeAt: &eol}})
	now := eol.Add(24 * time.Hour)
	tests := []struct {
		live, want string
		auto       bool
		hops       string
		note, err  string
	}{
		{live: "1.33.10", want: "1.35", hops: "1.34.6 1.35.3"},
		{live: "1.33.2", want: "1.36", hops: "1.34.6 1.35.3 1.36.1"},
		{live: "1.33.10", want: "1.35.1", hops: "1.34.6 1.35.1", note: "1.35.3 is available"},
		{live: "1.35.1", want: "1.35", hops: "1.35.3"},
		{live: "1.35.1", want: "1.35", auto: true, note: "auto-upgrade will apply it"},
		{live: "1.35.3", want: "1.35.1", auto: true, note: "spec-behind: the live version 1.35.3 is ahead of the spec's 1.35.1: the cluster's auto-upgrade applied a patch; update spec.version to 1.35 or the next plan keeps warning"},
		// Scaleway moved the cluster past the spec: facts to report, never errors or downgrades.
		{live: "1.35.3", want: "1.35.1", note: "spec-behind: the live version 1.35.3 is ahead of the spec's 1.35.1: Scaleway applied a patch; update spec.version to 1.35"},
		{live: "1.35.3", want: "1.34", note: "spec-behind: the live version 1.35.3 is ahead of the spec's 1.34: Scaleway upgraded the cluster (1.34 reached end of life on 2026-11-29); update spec.version to 1.35 or the next plan keeps warning"},
		{live: "1.35.3", want: "1.34.6", note: "update spec.version to 1.35.3 or"},
		{live: "1.35.3", want: "1.32", note: "spec-behind: the live version 1.35.3 is ahead of the spec's 1.32: Scaleway upgraded the cluster (1.32 is no longer offered)"},
		// A supported minor below the live one is a downgrade request.
		{live: "1.36.1", want: "1.35", err: "cannot downgrade from 1.36.1 to 1.35"},
		{live: "1.35.3", want: "1.35"},
		{live: "1.35.3", want: "1.37", err: "1.37 is not offered"},
		{live: "1.35.1", want: "1.35.9", err: "1.35.9 is not offered"},
		{live: "1.34.6", want: "1.35.9", err: "latest 1.35 patch is 1.35.3"},
		{live: "1.35.3", want: "2.0", err: "major version"},
		{live: "1.35", want: "1.35", err: "not an exact"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s→%s/auto=%t", tt.live, tt.want, tt.auto), func(t *testing.T) {
			hops, adv, err := upgradePath(tt.live, tt.want, tt.auto, cat, now)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hops {
				got = append(got, h.String())
			}
			if strings.Join(got, " ") != tt.hops {
				t.Errorf("hops = %v, want %s", got, tt.hops)
			}
			note := ""
			if adv != nil {
				note = adv.code + ": " + adv.msg
			}
			if (tt.note == "") != (note == "") || !strings.Contains(note, tt.note) {
				t.Errorf("note = %q, want %q", note, tt.note)
			}
		})
	}
}

func TestDesiredPoolNormalises(t *testing.T) {
	size := 2
	p := DesiredPool("nl-ams", spec.Pool{Name: "a", NodeType: " PRO2-XXS ", Size: &size,
		RootVolume: &spec.RootVolume{Type: "sbs_15k", SizeGB: 50}})
	if p.NodeType != "pro2_xxs" || p.Zone != "nl-ams-1" || p.RootVolumeSizeGB != 50 || p.RootVolumeType != "sbs_15k" ||
		p.MinSize != 2 || p.MaxSize != 2 || p.ContainerRuntime != "containerd" || p.UpgradePolicy != (cloud.UpgradePolicy{MaxUnavailable: 1}) {
		t.Errorf("DesiredPool = %+v", p)
	}
	ud := DesiredPool("fr-par", spec.Pool{Name: "u", NodeType: "DEV1-M", UserData: map[string]string{"cloud-init": "#cloud-config"}})
	if ud.UserData["cloud-init"] != "#cloud-config" {
		t.Errorf("user data = %v, want it carried to the pool to create", ud.UserData)
	}
	as := DesiredPool("fr-par", spec.Pool{Name: "b", NodeType: "DEV1-M", Autoscaling: &spec.Autoscaling{Enabled: true, Min: 2, Max: 5}})
	if !as.Autoscaling || as.Size != 2 || as.MinSize != 2 || as.MaxSize != 5 {
		t.Errorf("autoscaling pool = %+v", as)
	}
	c := DesiredCluster(&spec.Cluster{Metadata: spec.Metadata{Name: "k"}, Spec: spec.ClusterSpec{Region: "fr-par", Type: "multicloud", Tags: []string{"a", "a"}}}, "repo-1")
	if c.CNI != "kilo" || strings.Join(c.Tags, ",") != "a,"+cloud.ManagedByTag+","+cloud.ProtectionTag(true)+","+cloud.OwnerTag("repo-1") || c.Autoscaler.ExpendablePodsPriorityCutoff != -10 {
		t.Errorf("DesiredCluster = %+v", c)
	}
}

func TestFingerprintDiff(t *testing.T) {
	live := cloud.Cluster{ID: "c1", Status: "ready", Version: "1.35.3", Type: "kapsule", Tags: []string{cloud.ManagedByTag},
		Pools: []cloud.Pool{{ID: "p1", Name: "a", Status: "ready", Version: "1.35.3", Size: 3},
			{ID: "p2", Name: "b", Status: "ready", Version: "1.35.3", Autoscaling: true, Size: 4}}}
	f := FingerprintOf(&live)
	if d := f.Diff(FingerprintOf(&live)); d != nil {
		t.Fatalf("same cluster differs: %v", d)
	}
	moved := live
	moved.Pools = append([]cloud.Pool(nil), live.Pools...)
	moved.Pools[1].Size = 9 // the autoscaler's business: not staleness
	if d := f.Diff(FingerprintOf(&moved)); d != nil {
		t.Errorf("autoscaled size made the plan stale: %v", d)
	}
	moved.Version = "1.36.1"
	moved.Pools[0].Size = 5
	moved.Pools = moved.Pools[:1]
	d := f.Diff(FingerprintOf(&moved))
	if len(d) != 3 || !strings.Contains(d[0], "cluster version") || !strings.Contains(d[2], "pool b (p2) is gone") {
		t.Errorf("diff = %q", d)
	}
	if d := (*Fingerprint)(nil).Diff(f); len(d) != 1 || !strings.Contains(d[0], "now exists") {
		t.Errorf("nil diff = %q", d)
	}
}

// ageNodes gives every live pool of the plan input one ready node per age (days before now), named
// <pool>-<name>, so node rotation has work.
func ageNodes(in Input, ages map[string]int) {
	for _, s := range in.Snapshots {
		for ci := range s.Clusters {
			for pi := range s.Clusters[ci].Pools {
				p := &s.Clusters[ci].Pools[pi]
				p.Nodes = nil
				for name, days := range ages {
					p.Nodes = append(p.Nodes, cloud.Node{ID: p.Name + "-" + name + "-id", PoolID: p.ID, Name: p.Name + "-" + name,
						Status: "ready", CreatedAt: in.Now.Add(-time.Duration(days) * 24 * time.Hour)})
				}
			}
		}
	}
}

// TestRotationInThePlan: rotate-node actions are ordered after pool work, counted, rendered, and
// deferred as superseded on pools this plan upgrades.
func TestRotationInThePlan(t *testing.T) {
	in := loadCase(t, "testdata/plan/upgrade-two-hops")
	in.Rotate = true
	ageNodes(in, map[string]int{"n1": 40})
	p, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	wantDeferred(t, p, "prod-par", map[string]string{"prod-par/rotate-node/batch/batch-n1": WhySuperseded, "prod-par/rotate-node/default/default-n1": WhySuperseded})

	in = loadCase(t, "testdata/plan/pool-removed-no-prune")
	in.Rotate = true
	ageNodes(in, map[string]int{"n1": 40})
	p, err = Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, p, "prod-par", "prod-par/rotate-node/default/default-n1")
	if p.Summary.Rotate != 1 || !strings.Contains(Text(p), "» rotate-node node/prod-par/default/default-n1") {
		t.Errorf("summary %+v / text:\n%s", p.Summary, Text(p))
	}
	if cp := cluster(t, p, "prod-par"); len(cp.RotationCalendar) != 1 || cp.RotationCalendar[0].Pool != "default" {
		t.Errorf("rotation calendar = %+v, want the spec pool's", cp.RotationCalendar)
	}
}

// TestRotationOrderKept: the plan keeps rotation's order (oldest node first), not the node
// names' order: the executor rotates them in plan order.
func TestRotationOrderKept(t *testing.T) {
	in := loadCase(t, "testdata/plan/pool-removed-no-prune")
	in.Rotate = true
	in.Desired[0].Spec.Pools[0].Rotation = &spec.Rotation{Budget: &spec.IntOrPercent{Value: 2}}
	ageNodes(in, map[string]int{"zz-oldest": 50, "aa-younger": 40})
	p, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, p, "prod-par", "prod-par/rotate-node/default/default-zz-oldest", "prod-par/rotate-node/default/default-aa-younger")
}

func TestMarkdownTruncates(t *testing.T) {
	p := &Plan{FormatVersion: FormatVersion, Revision: "r", Clusters: []ClusterPlan{}}
	for i := 0; i < 400; i++ {
		cp := newClusterPlan(fmt.Sprintf("c%03d", i), "fr-par", "p")
		for j := 0; j < 10; j++ {
			cp.Actions = append(cp.Actions, Action{ID: fmt.Sprintf("c/%d", j), Type: UpdatePool, Target: "pool/c/x",
				Changes: []Change{{Path: "spec.pools[x].labels", Before: map[string]string{}, After: map[string]string{"k": strings.Repeat("v", 40) + "```"}}}})
		}
		p.Clusters = append(p.Clusters, cp)
	}
	p.Summary = summarize(p.Clusters)
	full := markdown(p, 1<<30)
	if len(full) <= MarkdownLimit {
		t.Fatalf("test plan too small: %d", len(full))
	}
	for _, limit := range []int{MarkdownLimit, 5000, 800} {
		md := markdown(p, limit)
		if n := len([]rune(md)); n > limit {
			t.Errorf("limit %d: %d characters", limit, n)
		}
		if !strings.Contains(md, "**Truncated:**") {
			t.Errorf("limit %d: no truncation notice", limit)
		}
		if strings.Count(md, "<details>") != strings.Count(md, "</details>") {
			t.Errorf("limit %d: unbalanced details", limit)
		}
		fences := 0
		for _, l := range strings.Split(md, "\n") {
			if strings.HasPrefix(l, "````") {
				fences++
			}
		}
		if fences%2 != 0 {
			t.Errorf("limit %d: unbalanced fences", limit)
		}
	}
	if small := Markdown(&Plan{Clusters: []ClusterPlan{}}); strings.Contains(small, "Truncated") {
		t.Error("small plan truncated")
	}
}

// TestDriftReport: with spec.drift report, in-place differences are deferred, never run.
func TestDriftReport(t *testing.T) {
	in := loadCase(t, "testdata/plan/update-cluster-fields")
	in.Desired[0].Spec.Drift = "report"
	p, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, p, "prod-par")
	wantDeferred(t, p, "prod-par", map[string]string{"prod-par/update-cluster": WhyDriftReport, "prod-par/update-pool/default": WhyDriftReport})
}
