package main

import (
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

// A real rotation pass with -o json (drains through a real kube-apiserver): stdout is one
// document valid against rotate.schema.json, holding the failed and not-run rotations of an
// aborted pool; the drain's progress stays on stderr.
func TestRotateJSONOfARealPass(t *testing.T) {
	sch := outputSchemas(t)
	env := kubetest.Start(t, kubetest.Options{})
	ages := []time.Duration{41 * day, 40*day + 12*time.Hour, 40 * day}
	rc := newRotationCluster(t, env.Kubeconfig, ages, `{window: `+openWindow(time.Now())+`, budget: 2, drainTimeout: 1s, onDrainTimeout: abort}`)
	node := rc.old[0].Name
	createNamespace(t, env.Client, "abort")
	runPods(t, env.Client, "abort", node, 2)
	createPDB(t, env.Client, "abort", "web", 2, 2)

	code, out, errOut := cli(t, "", args("rotate", "--repo", rc.repo, "-o", "json")...)
	if code != 1 {
		t.Fatalf("an aborted pool fails the pass: exit %d\n%s\n%s", code, out, errOut)
	}
	doc := oneDocument(t, "rotate -o json", out)
	if err := sch["rotate.schema.json"].Validate(doc); err != nil {
		t.Errorf("rotate -o json does not match rotate.schema.json: %v\n%s", err, out)
	}
	if err := sch["apply.schema.json"].Validate(doc); err != nil {
		t.Errorf("rotate -o json does not match apply.schema.json: %v", err)
	}
	m := doc.(map[string]any)
	res, _ := m["result"].(map[string]any)
	if m["command"] != "rotate" || m["applied"] != true || res == nil {
		t.Fatalf("command %v applied %v result %v", m["command"], m["applied"], m["result"])
	}
	outcomes := map[string]int{}
	for _, c := range res["clusters"].([]any) {
		for _, a := range c.(map[string]any)["actions"].([]any) {
			outcomes[a.(map[string]any)["outcome"].(string)]++
		}
	}
	if outcomes["failed"] != 1 || outcomes["not-run"] != 1 {
		t.Errorf("outcomes %v, want one failed and one not-run", outcomes)
	}
	if !strings.Contains(errOut, node) {
		t.Errorf("the drain's progress is not on stderr:\n%s", errOut)
	}
}
