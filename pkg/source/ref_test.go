package source_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// TestFetchRefTwoRevisionsOneCache fetches a base branch and a pull-request
// head (a branch, and the same commit under refs/pull/N/head) into one cache
// and diffs their specs.
func TestFetchRefTwoRevisionsOneCache(t *testing.T) {
	r := httpRemote(t)
	base := seed(t, r, specFiles, "base")
	u := gittest.Clone(t, r.cliURL)
	gittest.Run(t, u.Dir, "checkout", "--quiet", "-b", "feature/pools")
	u.Write(t, map[string]string{"clusters/prod-par.yaml": "kind: Cluster\nname: prod-par\n# more\n", "status/x.yaml": "a: 1\n"})
	gittest.Run(t, u.Dir, "add", "-A")
	gittest.Run(t, u.Dir, "commit", "--quiet", "-m", "pr")
	gittest.Run(t, u.Dir, "push", "--quiet", "origin", "HEAD:refs/heads/feature/pools", "HEAD:refs/pull/7/head")
	head := gittest.Run(t, u.Dir, "rev-parse", "HEAD")

	s := newSource(t, r, nil)
	ctx := context.Background()
	bco, err := s.FetchRef(ctx, "main")
	if err != nil {
		t.Fatalf("FetchRef main: %v", err)
	}
	if bco.Revision != base || bco.Branch != "main" {
		t.Errorf("base checkout = %s %q, want %s main", bco.Revision, bco.Branch, base)
	}
	for _, ref := range []string{"feature/pools", "refs/pull/7/head", "refs/heads/feature/pools"} {
		hco, err := s.FetchRef(ctx, ref)
		if err != nil {
			t.Fatalf("FetchRef %s: %v", ref, err)
		}
		if hco.Revision != head {
			t.Errorf("FetchRef %s = %s, want %s", ref, hco.Revision, head)
		}
		got, err := s.SpecChanges(ctx, bco.Revision, hco.Revision)
		if err != nil {
			t.Fatalf("SpecChanges: %v", err)
		}
		if diff := cmp.Diff([]string{"clusters/prod-par.yaml"}, got); diff != "" {
			t.Errorf("SpecChanges (-want +got):\n%s", diff)
		}
		// the base stays readable after the head's fetch
		if b, err := fs.ReadFile(bco.FS, "clusters/prod-par.yaml"); err != nil || string(b) != specFiles["clusters/prod-par.yaml"] {
			t.Errorf("base file after head fetch = %q, %v", b, err)
		}
	}
	if _, err := s.FetchRef(ctx, "no-such"); !errors.Is(err, source.ErrBranchNotFound) {
		t.Errorf("unknown ref: %v, want ErrBranchNotFound", err)
	}
	for _, bad := range []string{"", "-x", "refs/", "a..b", "refs/heads/a b"} {
		if _, err := s.FetchRef(ctx, bad); err == nil {
			t.Errorf("FetchRef(%q) accepted an invalid ref", bad)
		}
	}
}
