package demo

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// TestDemoEndToEnd runs the whole demo (emulator timings shortened) and checks what it claims:
// every example cluster provisioned, the chained upgrade run in order inside the window, the
// drift reverted, and the reconciler's status commits in the repository.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole loop")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	fast := emulator.TestDwell
	if err := Run(ctx, Options{Dir: dir, Out: &out, Dwell: &fast}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"payments is Ready", "prod-par is Ready", "edge-kosmos is Ready", "dev-par is Ready",
		"deferred payments/upgrade-cluster/1.36.5: outside-window",
		"payments upgraded to 1.37.1, in order: payments/upgrade-cluster/1.36.5, payments/upgrade-pool/system/1.36.5, payments/upgrade-cluster/1.37.1, payments/upgrade-pool/system/1.37.1",
		"drift reverted",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	bare := filepath.Join(dir, "fleet.git")
	log, err := git(bare, "log", "--format=%an|%s", "main")
	if err != nil {
		t.Fatal(err)
	}
	statusCommits := 0
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "reconciler|status: ") {
			statusCommits++
		}
	}
	if statusCommits < 3 {
		t.Errorf("want status commits for provisioning, upgrade and drift, got log:\n%s", log)
	}
	y, err := git(bare, "show", "main:status/payments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st, err := status.ParseYAML([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != "1.37.1" || st.Pools[0].Version != "1.37.1" {
		t.Errorf("payments status: version %s, pool %s", st.Version, st.Pools[0].Version)
	}
}
