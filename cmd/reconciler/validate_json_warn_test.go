package main

import (
	"strings"
	"testing"
)

// validate -o json said nothing of a suspicious node type (PRO2-SS) that the text output warns
// about: the warning goes to stderr, the one document stays on stdout.
func TestValidateJSONStillWarnsOnNodeTypes(t *testing.T) {
	repo := writeRepo(t, map[string]string{"clusters/web.yaml": header + "metadata: {name: web}\nspec: {region: fr-par, projectID: 9c6a0a4c-6f0e-4e0a-9a57-0d7b1f1f2e3a, privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b, version: \"1.36\", pools: [{name: a, nodeType: PRO2-SS, size: 1}]}\n"})
	code, stdout, stderr := cli(t, "", "validate", "--repo", repo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	oneDocument(t, "validate -o json", stdout)
	if !strings.Contains(stderr, `node type "PRO2-SS"`) {
		t.Errorf("stderr lacks the node-type warning: %q", stderr)
	}
}
