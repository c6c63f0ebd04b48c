package demo

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/examples"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/forge/giteatest"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
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
	from, hops := expectedUpgrade(t)
	var order []string
	for _, h := range hops {
		order = append(order, "payments/upgrade-cluster/"+h, "payments/upgrade-pool/system/"+h)
	}
	final := hops[len(hops)-1]
	for _, want := range []string{
		"payments is Ready", "prod-par is Ready", "edge-kosmos is Ready", "dev-par is Ready",
		"deferred payments/upgrade-cluster/" + hops[0] + ": outside-window",
		"payments upgraded to " + final + ", in order: " + strings.Join(order, ", "),
		"drift reverted",
		// the revert as the status records it: the field, the hand-edited value, the spec's
		"status and report record it: spec.tags was [", "hand-edited", "by prod-par/update-cluster",
		// the bad push: errors with file:line, the last good revision stays
		"status/prod-par.yaml error: clusters/prod-par.yaml:", `spec.pools[0].sise: unknown field "sise"`,
		"False/ValidationFailed", "user reverted the typo",
		// the preview comment
		"<!-- reconciler-preview -->", "this pull request adds 1 action and removes 0",
		"+ `update-pool` `pool/dev-par/default`", "spec.pools[default].size: 1 → 3",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The preview goes to a local Gitea when one is built, else the comment is printed.
	if _, _, ok := giteatest.Binary(); ok {
		if !strings.Contains(text, "pull request #1 opened on Gitea; `reconciler preview --post` wrote comment http://127.0.0.1:") {
			t.Error("Gitea is built but the demo did not post the preview on it")
		}
	} else if !strings.Contains(text, "no local forge (Gitea is not built: `make gitea`)") {
		t.Error("without Gitea the demo does not say the comment is only printed")
	}
	// The rotation chapter runs when the cached control plane exists, and says how to enable it
	// otherwise.
	if _, err := kubetest.FindBinaries(); err != nil {
		if !strings.Contains(text, RotationSkipped) {
			t.Errorf("without the control plane (%v) the demo does not say how to enable rotation", err)
		}
	} else {
		for _, want := range []string{"kube-apiserver, etcd and the disruption controller ready",
			"pass 1:", "rotation done: 3 nodes replaced one per pass, each drained first; at least 1 of 2 replicas stayed Ready"} {
			if !strings.Contains(text, want) {
				t.Errorf("demo output lacks %q", want)
			}
		}
	}
	if !strings.Contains(text, "payments version "+from+" -> ") {
		t.Errorf("demo output lacks the upgrade from %s", from)
	}
	// The bad push names the last good revision, the one the drift chapter ran on.
	if m := regexp.MustCompile(`last applied revision stays ([0-9a-f]{12})`).FindStringSubmatch(text); m == nil ||
		!strings.Contains(text, "run: revision "+m[1]+": 4 cluster(s) valid") {
		t.Errorf("the bad push does not name the last good revision:\n%s", text)
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
	if st.Version != final || st.Pools[0].Version != final {
		t.Errorf("payments status: version %s, pool %s", st.Version, st.Pools[0].Version)
	}
}

// expectedUpgrade is the demo's upgrade read from the examples and the emulator's catalog, on its
// own: payments starts at its example version (or the oldest listed minor when the catalog no
// longer lists it or it is past its end of life) and goes two minors up when listed (else one), one hop per minor at its
// latest listed patch.
func expectedUpgrade(t *testing.T) (from string, hops []string) {
	t.Helper()
	latest := map[int]string{}
	oldest := 1 << 30
	for _, v := range emulator.DefaultCatalog() {
		var maj, minor, patch int
		if _, err := fmt.Sscanf(v.Name, "%d.%d.%d", &maj, &minor, &patch); err == nil && v.Listed && time.Now().Before(v.EndOfLife) {
			latest[minor] = v.Name
			oldest = min(oldest, minor)
		}
	}
	b, err := fs.ReadFile(examples.FS, "clusters/payments-dedicated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`version: "(\d+)\.(\d+)([.\d]*)"`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("payments example has no version")
	}
	start, _ := strconv.Atoi(m[2])
	from = m[1] + "." + m[2] + m[3]
	if _, ok := latest[start]; !ok {
		start, from = oldest, latest[oldest]
	}
	target := start + 2
	if _, ok := latest[target]; !ok {
		target = start + 1
	}
	for mi := start + 1; mi <= target; mi++ {
		hops = append(hops, latest[mi])
	}
	return from, hops
}
