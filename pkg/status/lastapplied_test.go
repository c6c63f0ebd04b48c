package status

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

func TestLastAppliedFrom(t *testing.T) {
	off, err := MarshalYAML(Build(Input{Cluster: "old", Region: "fr-par", ProjectID: "p", Revision: "r1", Applied: true, DeletionProtection: false,
		Live: &cloud.Cluster{ID: "id-old", Status: "ready"}}))
	if err != nil {
		t.Fatal(err)
	}
	never, _ := MarshalYAML(Build(Input{Cluster: "new", Region: "fr-par", ProjectID: "p", Revision: "r1"}))
	got, skipped := LastAppliedFrom(fstest.MapFS{
		"status/old.yaml":  {Data: off},
		"status/new.yaml":  {Data: never},
		"status/junk.yaml": {Data: []byte("{not yaml")},
		"reports/old.md":   {Data: []byte("# report")},
		"status/notes.txt": {Data: []byte("x")},
	})
	want := map[string]plan.Applied{
		plan.Key("fr-par", "p", "old"): {File: "status/old.yaml", ID: "id-old", DeletionProtection: false},
		// never applied: recorded, protected, bound to no id
		plan.Key("fr-par", "p", "new"): {File: "status/new.yaml", DeletionProtection: true},
	}
	if !maps.Equal(got, want) || len(skipped) != 0 {
		t.Fatalf("LastAppliedFrom = %v, %v; want %v", got, want, skipped)
	}
	if got, _ := LastAppliedFrom(fstest.MapFS{}); len(got) != 0 {
		t.Error("no status dir must give no record")
	}
}

// TestReadFilesLeavesOutWhatItMustNotRead: a status file over MaxFileSize, a symlink (to a
// record outside the repository) and a FIFO are left out unread, each with an error naming it,
// and record nothing.
func TestReadFilesLeavesOutWhatItMustNotRead(t *testing.T) {
	off, err := MarshalYAML(Build(Input{Cluster: "old", Region: "fr-par", ProjectID: "p", Revision: "r1", Applied: true, DeletionProtection: false}))
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "old.yaml")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "status"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := append(append([]byte{}, off...), "# "+strings.Repeat("x", MaxFileSize)+"\n"...) // a valid record, padded
	for p, b := range map[string][]byte{outside: off, filepath.Join(dir, "status/big.yaml"): big} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "status/link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "status/pipe.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, skipped := LastAppliedFrom(repofs.Dir(dir))
	if len(got) != 0 {
		t.Errorf("records %v, want none", got)
	}
	var msgs []string
	for _, err := range skipped {
		msgs = append(msgs, err.Error())
	}
	want := []string{
		"read status/big.yaml: file too large: over the 1 MiB limit",
		"stat status/link.yaml: symlinks are not followed",
		"stat status/pipe.yaml: not a regular file: named pipe",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	var tl *repofs.TooLargeError
	if !errors.As(skipped[0], &tl) || !errors.Is(skipped[1], repofs.ErrSymlink) || !errors.Is(skipped[2], repofs.ErrNotRegular) {
		t.Errorf("skipped errors do not wrap the repofs refusals: %v", skipped)
	}
}
