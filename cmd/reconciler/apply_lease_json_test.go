package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gitlease"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// `apply -o json` refused because a `run` loop holds the lease: the plan exists, so stdout still
// holds the one apply document (applied false, the refusal in error), as for a refused approval.
func TestApplyJSONRefusedByTheLeaseIsOneDocument(t *testing.T) {
	sch := outputSchemas(t)
	gs, _, _ := edgeOverHTTP(t, "tok-json")
	src, err := source.New(source.Options{URL: gs.RepoURL("fleet.git"), Auth: source.Auth{Token: "tok-json"}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	l := &gitlease.Lease{Store: src, Ref: gitlease.Ref("main"), Holder: "loop-on-host-9", Duration: time.Hour}
	if ok, err := l.Try(context.Background()); !ok || err != nil {
		t.Fatalf("take the lease: %v %v", ok, err)
	}
	code, stdout, stderr := cli(t, "", args("apply", "--repo", gs.RepoURL("fleet.git"), "--auto-approve", "-o", "json")...)
	if code != 1 || !strings.Contains(stderr, `"loop-on-host-9"`) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	doc := oneDocument(t, "apply -o json under a live lease", stdout)
	if err := sch["apply.schema.json"].Validate(doc); err != nil {
		t.Fatalf("apply -o json under a live lease: %v\n%s", err, stdout)
	}
	m := doc.(map[string]any)
	if m["applied"] != false || !strings.Contains(m["error"].(string), "--ignore-lease") {
		t.Fatalf("document = %s", stdout)
	}
	if s := live(t); len(s.Clusters) != 0 {
		t.Fatalf("apply under a live lease created %d cluster(s)", len(s.Clusters))
	}
}
