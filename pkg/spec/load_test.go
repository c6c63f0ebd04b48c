package spec

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/spec/invalid")

const testdataDir = "../../testdata/spec"

// caseDirs lists the case directories (each a user repository) under testdata/spec/<kind>.
func caseDirs(t testing.TB, kind string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(testdataDir, kind))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no cases under %s", kind)
	}
	return dirs
}

// TestInvalidGolden loads every invalid repository and compares the full error output with its
// golden file (regenerate with `go test ./pkg/spec -update`).
func TestInvalidGolden(t *testing.T) {
	for _, name := range caseDirs(t, "invalid") {
		t.Run(name, func(t *testing.T) {
			repo, err := Load(os.DirFS(filepath.Join(testdataDir, "invalid", name)))
			if err == nil {
				t.Fatalf("Load succeeded with %d clusters, want errors", len(repo.Clusters))
			}
			if repo != nil {
				t.Errorf("Load returned a Repo along with errors")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList: %v", err, err)
			}
			if !slices.IsSortedFunc(list, compareErrors) {
				t.Errorf("errors not sorted:\n%v", err)
			}
			for _, e := range list {
				if e.File == "" || e.Message == "" {
					t.Errorf("error without file or message: %#v", e)
				}
			}
			got := err.Error() + "\n"
			golden := filepath.Join(testdataDir, "invalid", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update): %v", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("errors differ from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestGoldenFilesHaveCases fails on a golden file left behind by a removed case.
func TestGoldenFilesHaveCases(t *testing.T) {
	goldens, _ := filepath.Glob(filepath.Join(testdataDir, "invalid", "*.golden"))
	dirs := caseDirs(t, "invalid")
	if len(goldens) != len(dirs) {
		t.Errorf("%d golden files for %d cases", len(goldens), len(dirs))
	}
	for _, g := range goldens {
		if !slices.Contains(dirs, strings.TrimSuffix(filepath.Base(g), ".golden")) {
			t.Errorf("golden %s has no case directory", g)
		}
	}
}

func TestValidRepos(t *testing.T) {
	wantClusters := map[string]int{
		"minimal": 1, "multi-document-and-nested": 3, "anchors-and-merge-keys": 1,
		"settings-defaults": 1, "empty-clusters-dir": 0, "last-cluster-retired": 0,
	}
	for _, name := range caseDirs(t, "valid") {
		t.Run(name, func(t *testing.T) {
			repo, err := Load(os.DirFS(filepath.Join(testdataDir, "valid", name)))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want, ok := wantClusters[name]
			if !ok {
				t.Fatalf("add %q to wantClusters", name)
			}
			if len(repo.Clusters) != want {
				t.Errorf("got %d clusters, want %d", len(repo.Clusters), want)
			}
		})
	}
}

func TestExamplesLoad(t *testing.T) {
	repo, err := Load(os.DirFS("../../examples"))
	if err != nil {
		t.Fatalf("Load(examples): %v", err)
	}
	var names []string
	kinds := map[string]bool{}
	for _, c := range repo.Clusters {
		names = append(names, c.Metadata.Name)
		kinds[c.Spec.Type] = true
	}
	if diff := cmp.Diff([]string{"dev-par", "edge-kosmos", "payments", "prod-par"}, names); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	for _, k := range []string{"kapsule", "multicloud", "kapsule-dedicated-4"} {
		if !kinds[k] {
			t.Errorf("examples have no %s cluster", k)
		}
	}
	if repo.Settings.Defaults.Region != "fr-par" {
		t.Errorf("settings not loaded: %+v", repo.Settings.Defaults)
	}
}

const minimalKosmos = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: edge}
spec:
  region: fr-par
  type: multicloud
  version: "1.35"
  pools:
    - {name: core, nodeType: PRO2-XS, size: 1}
    - {name: on-prem, nodeType: external, size: 0}
`

func TestDefaultsApplied(t *testing.T) {
	repo, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(minimalKosmos)}})
	if err != nil {
		t.Fatal(err)
	}
	c := repo.Clusters[0]
	if c.Spec.CNI != "kilo" || !*c.Spec.DeletionProtection || c.Spec.Drift != DriftRevert || c.Spec.Prune {
		t.Errorf("cluster defaults: cni=%q deletionProtection=%v drift=%q prune=%v", c.Spec.CNI, *c.Spec.DeletionProtection, c.Spec.Drift, c.Spec.Prune)
	}
	core := c.Pool("core")
	want := &Rotation{
		Enabled: ptr(true), MaxAge: &Duration{720 * time.Hour}, Budget: &IntOrPercent{Value: 1},
		DrainTimeout: &Duration{30 * time.Minute}, OnDrainTimeout: "skip", Deadline: &Duration{888 * time.Hour},
	}
	if diff := cmp.Diff(want, core.Rotation); diff != "" {
		t.Errorf("core rotation (-want +got):\n%s", diff)
	}
	if core.Zone != "fr-par-1" || core.ContainerRuntime != "containerd" || core.Autohealing != nil {
		t.Errorf("core pool: zone=%q runtime=%q autohealing=%v", core.Zone, core.ContainerRuntime, core.Autohealing)
	}
	if ext := c.Pool("on-prem"); *ext.Rotation.Enabled {
		t.Errorf("external pool rotation enabled by default")
	}
	if c.Source != (Source{File: "clusters/c.yaml", Line: 1}) {
		t.Errorf("source = %+v", c.Source)
	}

	// Default is idempotent.
	before, _ := MarshalClusters([]*Cluster{c})
	Default(c)
	after, _ := MarshalClusters([]*Cluster{c})
	if diff := cmp.Diff(string(before), string(after)); diff != "" {
		t.Errorf("Default not idempotent (-first +second):\n%s", diff)
	}
}

func TestSettingsMerged(t *testing.T) {
	repo, err := Load(os.DirFS(filepath.Join(testdataDir, "valid", "settings-defaults")))
	if err != nil {
		t.Fatal(err)
	}
	c := repo.Clusters[0]
	if c.Spec.Region != "nl-ams" || c.Spec.ProjectID != "11111111-2222-4333-8444-555555555555" {
		t.Errorf("region/project not inherited: %q %q", c.Spec.Region, c.Spec.ProjectID)
	}
	if diff := cmp.Diff([]string{"prod", "team-a", "gitops"}, c.Spec.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if w := c.Spec.Upgrade.Window; w == nil || w.Schedule != "0 2 * * SAT" {
		t.Errorf("upgrade window not inherited: %+v", c.Spec.Upgrade)
	}
	p, q := c.Pool("p"), c.Pool("q")
	if p.Rotation.Budget.String() != "2" || q.Rotation.Budget.String() != "20%" {
		t.Errorf("budgets: p=%s (own) q=%s (inherited)", p.Rotation.Budget, q.Rotation.Budget)
	}
	if p.Rotation.MaxAge.Duration != 360*time.Hour || p.Rotation.Deadline.Duration != 528*time.Hour {
		t.Errorf("maxAge/deadline: %s %s", p.Rotation.MaxAge, p.Rotation.Deadline)
	}
	if p.Zone != "nl-ams-1" || q.Zone != "nl-ams-3" {
		t.Errorf("zones: %s %s", p.Zone, q.Zone)
	}
	// The settings' own pointers are not shared with clusters.
	p.Rotation.MaxAge.Duration = time.Hour
	if repo.Settings.Defaults.Rotation.MaxAge.Duration != 360*time.Hour {
		t.Errorf("cluster shares rotation values with the settings")
	}
}

func TestLoadIsDeterministic(t *testing.T) {
	dir := filepath.Join(testdataDir, "invalid", "settings-inherited-errors")
	_, err1 := Load(os.DirFS(dir))
	_, err2 := Load(os.DirFS(dir))
	if err1 == nil || err1.Error() != err2.Error() {
		t.Errorf("two loads differ:\n%v\n---\n%v", err1, err2)
	}
}

func TestValidateWithoutFile(t *testing.T) {
	c := &Cluster{APIVersion: APIVersion, Kind: KindCluster, Metadata: Metadata{Name: "x"},
		Spec: ClusterSpec{Region: "fr-par", Version: "1.35", Pools: []Pool{{Name: "p", NodeType: "PRO2-S", Size: ptr(1)}}}}
	Default(c)
	errs := Validate(c)
	want := "spec.privateNetworkID: required: Kapsule clusters are attached to a Private Network (hint: set the UUID of a VPC Private Network in the cluster's region)"
	if len(errs) != 1 || errs.Error() != want {
		t.Errorf("Validate = %q, want %q", errs.Error(), want)
	}
	c.Spec.PrivateNetworkID = "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f"
	if errs := Validate(c); len(errs) != 0 {
		t.Errorf("Validate(valid) = %v", errs)
	}
}

func TestFieldErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    FieldError
		want string
	}{
		{FieldError{File: "clusters/a.yaml", Line: 14, Column: 7, Path: "spec.pools[1].autoscaling.min", Message: "must be <= size (3)"},
			"clusters/a.yaml:14:7: spec.pools[1].autoscaling.min: must be <= size (3)"},
		{FieldError{File: "clusters/a.yaml", Message: "no Cluster document in file", Hint: "add one"},
			"clusters/a.yaml: no Cluster document in file (hint: add one)"},
		{FieldError{Path: "spec.region", Message: "required"}, "spec.region: required"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
