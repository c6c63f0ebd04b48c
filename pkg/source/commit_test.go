package source_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

var reconcilerAuthor = source.Author{Name: "reconciler", Email: "bot@example.test"}

func TestCommitWritesStatusAndSkipsIdentical(t *testing.T) {
	for _, mk := range allRemotes() {
		r := mk(t)
		t.Run(r.name, func(t *testing.T) {
			ctx := context.Background()
			seed(t, r, specFiles, "add specs")
			s := newSource(t, r, nil)
			files := map[string][]byte{
				"status/prod-par.yaml": []byte("observedRevision: abc\nready: true\n"),
				"reports/prod-par.md":  []byte("# prod-par\nAll good.\n"),
			}
			rev, err := s.Commit(ctx, files, "status: prod-par", reconcilerAuthor)
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if head := gittest.Head(t, r.repoPath, "main"); head != rev {
				t.Errorf("remote head = %s, want %s", head, rev)
			}
			log := gittest.Log(t, r.repoPath, "main")
			if diff := cmp.Diff([]string{"reports/prod-par.md", "status/prod-par.yaml"}, log[0].Files); diff != "" {
				t.Errorf("files of the status commit (-want +got):\n%s", diff)
			}
			for p, want := range files {
				if got := gittest.Show(t, r.repoPath, rev, p); got != strings.TrimSpace(string(want)) {
					t.Errorf("%s = %q, want %q", p, got, want)
				}
			}
			// The user's files are untouched.
			if got := gittest.Show(t, r.repoPath, rev, "clusters/edge/kosmos.yaml"); got != strings.TrimSpace(specFiles["clusters/edge/kosmos.yaml"]) {
				t.Errorf("user file changed: %q", got)
			}

			_, err = s.Commit(ctx, files, "status: prod-par", reconcilerAuthor)
			if !errors.Is(err, source.ErrNoChanges) {
				t.Errorf("identical Commit: err = %v, want ErrNoChanges", err)
			}
			if n := len(gittest.Log(t, r.repoPath, "main")); n != len(log) {
				t.Errorf("identical Commit added commits: %d → %d", len(log), n)
			}

			// Deleting a file is a change; deleting the last file drops the directory.
			rev2, err := s.Commit(ctx, map[string][]byte{"reports/prod-par.md": nil}, "drop report", reconcilerAuthor)
			if err != nil {
				t.Fatalf("delete Commit: %v", err)
			}
			if out, err := gittest.RunErr(r.repoPath, nil, "ls-tree", "--name-only", rev2); err != nil || strings.Contains(out, "reports") {
				t.Errorf("after delete, root = %q (err %v); want no reports/", out, err)
			}
			gittest.Fsck(t, r.repoPath)
		})
	}
}

func TestCommitRefusesPathsOutsideOwnedDirs(t *testing.T) {
	r := fileRemote(t)
	seed(t, r, specFiles, "add specs")
	s := newSource(t, r, nil)
	for _, p := range []string{"clusters/prod-par.yaml", "status", "status/../clusters/x.yaml", "/status/x", "status/.git/config", "reconciler.yaml"} {
		if _, err := s.Commit(context.Background(), map[string][]byte{p: []byte("x")}, "m", reconcilerAuthor); err == nil {
			t.Errorf("Commit(%q) succeeded; want refusal", p)
		}
	}
	if n := len(gittest.Log(t, r.repoPath, "main")); n != 1 {
		t.Errorf("refused commits still landed: %d commits", n)
	}
}

func TestCommitToSeparateBranchCreatesIt(t *testing.T) {
	r := httpRemote(t)
	head := seed(t, r, specFiles, "add specs")
	s := newSource(t, r, func(o *source.Options) { o.TargetBranch = "reconciler-status" })
	ctx := context.Background()
	rev, err := s.Commit(ctx, map[string][]byte{"status/a.yaml": []byte("a: 1\n")}, "status", reconcilerAuthor)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got := gittest.Run(t, r.repoPath, "rev-parse", rev+"^"); got != head {
		t.Errorf("new branch parent = %s, want source head %s", got, head)
	}
	if gittest.Head(t, r.repoPath, "main") != head {
		t.Error("source branch moved")
	}
	rev2, err := s.Commit(ctx, map[string][]byte{"status/a.yaml": []byte("a: 2\n")}, "status", reconcilerAuthor)
	if err != nil {
		t.Fatalf("second Commit: %v", err)
	}
	if got := gittest.Run(t, r.repoPath, "rev-parse", rev2+"^"); got != rev {
		t.Errorf("second status commit parent = %s, want %s", got, rev)
	}
	co, err := s.Fetch(ctx)
	if err != nil || co.Revision != head {
		t.Errorf("Fetch after status commits = %v, %v; want source head %s", co, err, head)
	}
}

func TestCompactKeepsWorking(t *testing.T) {
	r := fileRemote(t)
	seed(t, r, specFiles, "add specs")
	s := newSource(t, r, func(o *source.Options) { o.CompactEvery = 3 })
	ctx := context.Background()
	var last string
	for i := range 8 {
		seed(t, r, map[string]string{"clusters/n.yaml": strings.Repeat("x", i+1)}, "user change")
		co, err := s.Fetch(ctx)
		if err != nil {
			t.Fatalf("Fetch %d: %v", i, err)
		}
		if _, err := s.Commit(ctx, map[string][]byte{"status/n.yaml": []byte(co.Revision)}, "status", reconcilerAuthor); err != nil {
			t.Fatalf("Commit %d: %v", i, err)
		}
		last = co.Revision
	}
	runtime.GC() // the loop's checkouts are unreferenced: compaction may drop them
	if err := s.Compact(); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	co, err := s.Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch after Compact: %v", err)
	}
	b, err := fs.ReadFile(co.FS, "status/n.yaml")
	if err != nil || string(b) != last {
		t.Errorf("status after compaction = %q, %v; want %q", b, err, last)
	}
	// An old revision compacted away counts as changed.
	if changed, err := s.Changed(ctx, last, co.Revision); err != nil || !changed {
		t.Errorf("Changed from a compacted revision = %v, %v; want true, nil", changed, err)
	}
	gittest.Fsck(t, r.repoPath)
}

func TestPlainPathRemote(t *testing.T) {
	r := fileRemote(t)
	r.url = r.repoPath // a plain path instead of file://
	head := seed(t, r, specFiles, "add specs")
	s := newSource(t, r, nil)
	ctx := context.Background()
	co, err := s.Fetch(ctx)
	if err != nil || co.Revision != head {
		t.Fatalf("Fetch = %v, %v; want %s", co, err, head)
	}
	seed(t, r, map[string]string{"clusters/more.yaml": "kind: Cluster\n"}, "user change")
	rev, err := s.Commit(ctx, map[string][]byte{"status/a.yaml": []byte("a")}, "status", reconcilerAuthor)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got := gittest.Head(t, r.repoPath, "main"); got != rev {
		t.Errorf("head = %s, want %s", got, rev)
	}
	gittest.Fsck(t, r.repoPath)
}

// TestHeldCheckoutSurvivesCompaction keeps an old checkout (the revision in
// force) while many newer revisions are fetched and the cache is compacted:
// it must stay readable.
func TestHeldCheckoutSurvivesCompaction(t *testing.T) {
	r := fileRemote(t)
	seed(t, r, specFiles, "add specs")
	s := newSource(t, r, func(o *source.Options) { o.CompactEvery = 2 })
	ctx := context.Background()
	held, err := s.Fetch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		seed(t, r, map[string]string{"clusters/prod-par.yaml": fmt.Sprintf("kind: Cluster\nname: v%d\n", i)}, "change")
		if _, err := s.Fetch(ctx); err != nil {
			t.Fatalf("Fetch %d: %v", i, err)
		}
	}
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(held.FS, "clusters/prod-par.yaml")
	if err != nil || string(b) != specFiles["clusters/prod-par.yaml"] {
		t.Errorf("held checkout after compaction: %q, %v; want the original content", b, err)
	}
	if err := fstest.TestFS(held.FS, "clusters/prod-par.yaml", "reconciler.yaml"); err != nil {
		t.Errorf("fstest on the held checkout: %v", err)
	}
}
