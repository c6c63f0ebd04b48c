package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestNormalizeNodeType(t *testing.T) {
	for in, want := range map[string]string{
		"PRO2-XXS":  "pro2_xxs",
		" PRO2-S\n": "pro2_s",
		"gp1_xs":    "gp1_xs",
		"DEV1-M":    "dev1_m",
		"":          "",
	} {
		if got := NormalizeNodeType(in); got != want {
			t.Errorf("NormalizeNodeType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLastClusterRetired(t *testing.T) {
	repo, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nprune: true\n")}})
	if err != nil || len(repo.Clusters) != 0 || !repo.Settings.Prune {
		t.Fatalf("a repository with reconciler.yaml and no clusters/ must load with zero clusters: %v %+v", err, repo)
	}
	if _, err := Load(fstest.MapFS{"README.md": {Data: []byte("hi")}}); err == nil || !strings.Contains(err.Error(), "clusters/: directory not found") {
		t.Fatalf("a tree with neither clusters/ nor reconciler.yaml: err = %v", err)
	}
}
