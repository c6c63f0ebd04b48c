package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"
)

// TestDeployArgsParse keeps deploy/deployment.yaml in step with `run`: each of
// its arguments must parse.
func TestDeployArgsParse(t *testing.T) {
	b, err := os.ReadFile("../../deploy/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(b, &d); err != nil {
		t.Fatal(err)
	}
	args := d.Spec.Template.Spec.Containers[0].Args
	if len(args) == 0 || args[0] != "run" {
		t.Fatalf("args %q, want `run …`", args)
	}
	for _, a := range args[1:] {
		var errb bytes.Buffer
		env := &cmdEnv{stdin: strings.NewReader(""), stdout: &errb, stderr: &errb, getenv: func(string) string { return "" }}
		f, code := parseRunFlags(env, []string{"--repo=https://git.example.com/fleet.git", a})
		switch {
		case f == nil:
			t.Errorf("run %s: exit %d: %s", a, code, errb.String())
		case strings.Contains(errb.String(), "deprecated"):
			t.Errorf("run %s: %s", a, errb.String())
		}
	}
}
