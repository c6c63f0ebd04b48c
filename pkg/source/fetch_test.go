package source_test

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

var specFiles = map[string]string{
	"clusters/prod-par.yaml":    "kind: Cluster\nname: prod-par\n",
	"clusters/edge/kosmos.yaml": "kind: Cluster\nname: kosmos-edge\n",
	"reconciler.yaml":           "defaults:\n  region: fr-par\n",
	"status/prod-par.yaml":      "observedRevision: x\n",
}

func TestFetchReadsSpecsFromTree(t *testing.T) {
	for _, mk := range allRemotes() {
		r := mk(t)
		t.Run(r.name, func(t *testing.T) {
			head := seed(t, r, specFiles, "add specs")
			s := newSource(t, r, nil)
			ctx := context.Background()

			co, err := s.Fetch(ctx)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if co.Revision != head {
				t.Errorf("Revision = %s, want %s", co.Revision, head)
			}
			got := map[string]string{}
			err = fs.WalkDir(co.FS, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(co.FS, p)
				got[p] = string(b)
				return err
			})
			if err != nil {
				t.Fatalf("walk: %v", err)
			}
			if diff := cmp.Diff(specFiles, got); diff != "" {
				t.Errorf("tree content (-want +got):\n%s", diff)
			}
			if err := fstest.TestFS(co.FS, "clusters/prod-par.yaml", "clusters/edge/kosmos.yaml", "reconciler.yaml"); err != nil {
				t.Errorf("fstest: %v", err)
			}

			// Nothing new on the remote: same revision, same digest.
			again, err := s.Fetch(ctx)
			if err != nil {
				t.Fatalf("second Fetch: %v", err)
			}
			if again.Revision != head || again.SpecDigest != co.SpecDigest {
				t.Errorf("unchanged remote: got %s/%s, want %s/%s", again.Revision, again.SpecDigest, head, co.SpecDigest)
			}
		})
	}
}

func TestStatusOnlyCommitIsNoSpecChange(t *testing.T) {
	for _, mk := range allRemotes() {
		r := mk(t)
		t.Run(r.name, func(t *testing.T) {
			ctx := context.Background()
			seed(t, r, specFiles, "add specs")
			s := newSource(t, r, nil)
			first, err := s.Fetch(ctx)
			if err != nil {
				t.Fatal(err)
			}

			seed(t, r, map[string]string{"status/prod-par.yaml": "observedRevision: y\n", "reports/prod-par.md": "# ok\n"}, "status only")
			second, err := s.Fetch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if second.Revision == first.Revision {
				t.Fatal("status commit not fetched")
			}
			changed, err := s.Changed(ctx, first.Revision, second.Revision)
			if err != nil {
				t.Fatal(err)
			}
			if changed || second.SpecDigest != first.SpecDigest {
				t.Errorf("status-only commit: Changed=%v, digests equal=%v; want no spec change", changed, second.SpecDigest == first.SpecDigest)
			}

			seed(t, r, map[string]string{"clusters/edge/kosmos.yaml": "kind: Cluster\nname: kosmos-edge\nversion: \"1.31\"\n", "clusters/new.yaml": "kind: Cluster\n"}, "spec change")
			third, err := s.Fetch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			paths, err := s.SpecChanges(ctx, first.Revision, third.Revision)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"clusters/edge/kosmos.yaml", "clusters/new.yaml"}, paths); diff != "" {
				t.Errorf("SpecChanges (-want +got):\n%s", diff)
			}
			if third.SpecDigest == first.SpecDigest {
				t.Error("spec change left SpecDigest unchanged")
			}
			if changed, err := s.Changed(ctx, "", third.Revision); err != nil || !changed {
				t.Errorf("Changed from nothing = %v, %v; want true, nil", changed, err)
			}
		})
	}
}
