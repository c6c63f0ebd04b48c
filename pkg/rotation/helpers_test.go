package rotation

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/rotation/rotationtest"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func dur(d time.Duration) *spec.Duration { return &spec.Duration{Duration: d} }

func count(n int) *spec.IntOrPercent { return &spec.IntOrPercent{Value: n} }

func percent(n int) *spec.IntOrPercent { return &spec.IntOrPercent{Value: n, IsPercent: true} }

func ptr[T any](v T) *T { return &v }

func daily() *spec.Window { return rotationtest.Daily() }

// mustPolicy resolves r and fails the test if the policy is invalid.
func mustPolicy(t testing.TB, r *spec.Rotation) Policy {
	t.Helper()
	p := ResolvePolicy(r)
	if !p.Valid() {
		t.Fatalf("policy invalid: %+v", p.Problems)
	}
	return p
}

func readyCluster() *cloud.Cluster { return rotationtest.ReadyCluster() }

func node(name string, created time.Time, status string) cloud.Node {
	return rotationtest.Node(name, created, status)
}

func agedPool(n int, newest time.Time, step time.Duration) *cloud.Pool {
	return rotationtest.AgedPool(n, newest, step)
}

// reasons maps node name to its decision's reason, with a "*" prefix for rotated nodes.
func reasons(d Decision) map[string]string {
	out := map[string]string{}
	for _, n := range d.Nodes {
		r := string(n.Reason)
		if n.Rotate {
			r = "*" + r
		}
		out[n.Name] = r
	}
	return out
}

func rotatingNames(d Decision) []string {
	var out []string
	for _, n := range d.Rotating() {
		out = append(out, n.Name)
	}
	return out
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func planPool() *cloud.Pool { return rotationtest.MixedPool() }
