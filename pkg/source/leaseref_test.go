package source_test

import (
	"context"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// SwapRef is a compare-and-swap the server enforces: a writer that read an old id loses, creating
// an existing ref loses, and the winner's commit is what every reader sees.
func TestSwapRefIsCompareAndSwap(t *testing.T) {
	for _, mk := range []func(*testing.T) remote{httpRemote, fileRemote} {
		r := mk(t)
		t.Run(r.name, func(t *testing.T) {
			gittest.Seed(t, r.repoPath, map[string]string{"clusters/a.yaml": "x"}, "seed")
			ctx := context.Background()
			a, b := newSource(t, r, nil), newSource(t, r, nil)
			const ref = "refs/reconciler/lease/main"
			if got, err := a.ReadRef(ctx, ref); err != nil || got.Hash != "" {
				t.Fatalf("ReadRef(absent) = %+v, %v", got, err)
			}
			h1, err := a.SwapRef(ctx, ref, "", "one\n")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.SwapRef(ctx, ref, "", "two\n"); !source.IsPushRejected(err) {
				t.Fatalf("creating an existing ref: %v, want rejected", err)
			}
			got, err := b.ReadRef(ctx, ref)
			if err != nil || got.Hash != h1 || got.Message != "one\n" {
				t.Fatalf("ReadRef = %+v, %v; want %s one", got, err, h1)
			}
			h2, err := b.SwapRef(ctx, ref, h1, "three\n")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.SwapRef(ctx, ref, h1, "four\n"); !source.IsPushRejected(err) {
				t.Fatalf("swap from a stale id: %v, want rejected", err)
			}
			if got, _ := a.ReadRef(ctx, ref); got.Hash != h2 {
				t.Fatalf("after the lost race the ref is %s, want %s", got.Hash, h2)
			}
			if _, err := a.SwapRef(ctx, "refs/heads/main", "", "x"); err == nil {
				t.Fatal("SwapRef moved a branch")
			}
			gittest.Fsck(t, r.repoPath)
		})
	}
}
