package source_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// StatusTree reads the target branch, not the source branch: before the first status commit
// the target branch does not exist (ErrBranchNotFound, not another error); afterwards a new
// Source with an empty cache (a restarted loop) reads what the last commit wrote there.
func TestStatusTreeReadsTargetBranch(t *testing.T) {
	r := httpRemote(t)
	seed(t, r, map[string]string{"clusters/a.yaml": "kind: Cluster\n", "status/a.yaml": "on: main\n"}, "add specs")
	target := func(o *source.Options) { o.TargetBranch = "reconciler-status" }
	s := newSource(t, r, target)
	ctx := context.Background()
	if _, err := s.StatusTree(ctx); !errors.Is(err, source.ErrBranchNotFound) {
		t.Fatalf("StatusTree before the target branch exists: err = %v, want ErrBranchNotFound", err)
	}
	if _, err := s.Commit(ctx, map[string][]byte{"status/a.yaml": []byte("on: status\n")}, "status", reconcilerAuthor); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	restarted := newSource(t, r, target)
	tree, err := restarted.StatusTree(ctx)
	if err != nil {
		t.Fatalf("StatusTree: %v", err)
	}
	if b, err := tree.ReadFile("status/a.yaml"); err != nil || string(b) != "on: status\n" {
		t.Fatalf("status/a.yaml on the target branch = %q, %v; want the committed content", b, err)
	}
	co, err := restarted.Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if b, err := fs.ReadFile(co.FS, "status/a.yaml"); err != nil || string(b) != "on: main\n" {
		t.Fatalf("status/a.yaml on the source branch = %q, %v; want it untouched", b, err)
	}
}
