package main

import (
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// A pull request declaring spec.acl: the preview reads the live access list as the loop's plan
// does (the emulator, over HTTP), so it shows the set-cluster-acl the loop would make, and
// `plan` on the head agrees.
func TestPreviewShowsTheACLChangeThePlanMakes(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.36.5", "web")
	base := prodSpec("1.36", "web")
	u := localPullRequest(t, base, "lock")
	head := base["clusters/prod-par.yaml"] + "  acl:\n    scalewayRanges: true\n    rules:\n      - {ip: 203.0.113.0/24, description: office}\n"
	u.Write(t, map[string]string{"clusters/prod-par.yaml": head})
	gittest.Run(t, u.Dir, "commit", "--quiet", "-am", "lock the API server")

	code, out, errOut := cli(t, "", pargs("preview", "--repo", u.Dir, "--head", "lock", "-o", "text")...)
	if code != 0 || !strings.Contains(out, "+ set-cluster-acl cluster/prod-par") || !strings.Contains(out, "adds 1 action and removes 0") {
		t.Errorf("preview: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	// the loop's plan of the head revision makes the same change
	code, out, errOut = cli(t, "", pargs("plan", "--repo", u.Dir, "--ref", "lock", "-o", "text")...)
	if code != 0 || !strings.Contains(out, "set-cluster-acl") {
		t.Errorf("plan of the head: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
