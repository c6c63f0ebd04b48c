package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLifecyclePullRequestSettings(t *testing.T) {
	load := func(body string) error {
		_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nlifecycle:\n  pullRequests:\n" + body)}})
		return err
	}
	if err := load("    enabled: true\n    forge: gitea\n    url: https://gitea.example.com\n    daysBeforeDeprecation: 45\n    tokenEnv: GITEA_TOKEN\n"); err != nil {
		t.Fatalf("valid settings refused: %v", err)
	}
	for body, want := range map[string]string{
		"    forge: gitlab\n":            "reconciler.yaml:5:5: lifecycle.pullRequests.forge: unknown forge \"gitlab\"",
		"    forge: gitea\n":             "lifecycle.pullRequests.url: required with forge: gitea",
		"    daysBeforeDeprecation: 0\n": "reconciler.yaml:5:5: lifecycle.pullRequests.daysBeforeDeprecation: 0 is out of range",
		"    url: ftp://x\n":             "invalid URL",
		"    repo: nope\n":               "lifecycle.pullRequests.repo: invalid repository",
		"    tokenEnv: ghp_abc-secret\n": "never the token",
		"    token: ghp_abc\n":           "reconciler.yaml:5:5",
	} {
		if err := load(body); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", body, err, want)
		}
	}
}
