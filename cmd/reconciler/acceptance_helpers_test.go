package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// The acceptance tests run the CLI against the real emulator over HTTP, through the SDK adapter:
// nothing between the command and the wire is faked.

const testProject = emulator.DefaultProjectID

// startEmulator serves an in-process emulator (real clock, transitions on the next read) and
// points the SCW_* environment at it.
func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	return startEmulatorDwell(t, emulator.TestDwell)
}

// startEmulatorDwell is startEmulator with transient states lasting d (real time).
func startEmulatorDwell(t *testing.T, d emulator.Dwell) *emulator.Server {
	t.Helper()
	srv := emulator.MustNew(emulator.Options{Dwell: d, Logf: t.Logf})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	setSCWEnv(t, hs.URL)
	return srv
}

func setSCWEnv(t *testing.T, url string) {
	t.Setenv("SCW_CONFIG_PATH", filepath.Join(t.TempDir(), "no-config.yaml"))
	t.Setenv("SCW_API_URL", url)
	t.Setenv("SCW_ACCESS_KEY", "SCWACCEPTANCE0000000")
	t.Setenv("SCW_SECRET_KEY", "11111111-0000-4000-8000-000000000000")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", testProject)
	t.Setenv("SCW_DEFAULT_ORGANIZATION_ID", testProject)
	t.Setenv("SCW_DEFAULT_REGION", "fr-par")
	t.Setenv("SCW_DEFAULT_ZONE", "fr-par-1")
}

// cli runs the command in-process with the process environment and stdin, and returns the exit
// code, stdout and stderr.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cmdEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: os.Getenv}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := runMain(ctx, env, args)
	return code, out.String(), errb.String()
}

// fast are the flags that keep waits short against the emulator's immediate transitions
// (retries: every command that reads the API; polls: the commands that wait, apply and rotate).
var (
	fastRetry = []string{"--retry-base", "2ms", "--retry-max", "40ms", "--retry-attempts", "40"}
	fastPoll  = []string{"--poll-interval", "20ms"}
)

// args is a command line with the fast flags the command a[0] takes.
func args(a ...string) []string {
	a = append(a, fastRetry...)
	if len(a) > 0 && (a[0] == "apply" || a[0] == "rotate") {
		a = append(a, fastPoll...)
	}
	return a
}

// writeRepo writes a user repository of files (path → content) and returns its directory.
func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// live observes the emulator through the adapter, as the reconciler does.
func live(t *testing.T) *cloud.Snapshot {
	t.Helper()
	p, err := scaleway.New()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := p.Observe(context.Background(), cloud.Ref{Region: "fr-par", ProjectID: testProject})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// assertNoDuplicates fails when two clusters, or two pools of a cluster, share a name.
func assertNoDuplicates(t *testing.T, s *cloud.Snapshot) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range s.Clusters {
		if seen[c.Name] {
			t.Errorf("duplicate cluster %q", c.Name)
		}
		seen[c.Name] = true
		pools := map[string]bool{}
		for _, p := range c.Pools {
			if pools[p.Name] {
				t.Errorf("duplicate pool %s/%s", c.Name, p.Name)
			}
			pools[p.Name] = true
		}
	}
}

const header = "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Cluster\n"

// prodPN is the private network of prod-par, the owned Kapsule cluster most tests use.
const prodPN = "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b"

// seedProdPar seeds prod-par (fr-par, cilium, owned, on prodPN) at version with pools.
func seedProdPar(t *testing.T, srv *emulator.Server, version string, pools ...emulator.SeedPool) {
	t.Helper()
	sc := emulator.SeedCluster{Name: "prod-par", Region: "fr-par", ProjectID: testProject, Version: version,
		Cni: "cilium", Tags: []string{cloud.ManagedByTag, cloud.ProtectionTag(true)}, PrivateNetworkID: prodPN, Pools: pools}
	if _, err := srv.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{sc}}); err != nil {
		t.Fatal(err)
	}
}

// prodSpecHead is prod-par's spec file up to its "pools:" line, at version; the pools follow.
func prodSpecHead(version string) string {
	return header + `metadata: {name: prod-par}
spec:
  region: fr-par
  version: "` + version + `"
  privateNetworkID: ` + prodPN + `
  pools:
`
}

// oldestFirst sorts nodes by creation time, oldest first.
func oldestFirst(nodes []cloud.Node) {
	slices.SortFunc(nodes, func(a, b cloud.Node) int { return a.CreatedAt.Compare(b.CreatedAt) })
}

// threeClusters is the from-empty scenario: Kapsule with two pools, Kosmos, kapsule-dedicated-4.
var threeClusters = map[string]string{
	"clusters/prod-par.yaml": prodSpecHead("1.35") + `    - name: web
      nodeType: PRO2-S
      zone: fr-par-1
      size: 2
      labels: {tier: web}
    - name: batch
      nodeType: PRO2-M
      zone: fr-par-2
      size: 1
      autoscaling: {enabled: true, min: 1, max: 3}
`,
	"clusters/edge.yaml": header + `metadata: {name: edge}
spec:
  region: fr-par
  type: multicloud
  version: "1.36"
  cni: kilo
  pools:
    - name: core
      nodeType: PRO2-XS
      zone: fr-par-1
      size: 1
`,
	"clusters/payments.yaml": header + `metadata: {name: payments}
spec:
  region: fr-par
  type: kapsule-dedicated-4
  version: "1.36"
  cni: calico
  privateNetworkID: 7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d
  pools:
    - name: system
      nodeType: PRO2-S
      zone: fr-par-1
      size: 1
`,
}
