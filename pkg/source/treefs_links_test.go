package source_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/repofs"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// TestTreeFSRefusesLinksAndSubmodules: a commit whose tree holds a symlink to /etc/passwd, a
// symlinked directory and a submodule (committed with the git CLI, as an attacker would) loads
// with an error naming each, and the link targets are never read nor quoted.
func TestTreeFSRefusesLinksAndSubmodules(t *testing.T) {
	r := fileRemote(t)
	u := gittest.Clone(t, r.cliURL)
	u.Write(t, map[string]string{"clusters/ok.yaml": "kind: Cluster\n"})
	for link, target := range map[string]string{"clusters/x.yaml": "/etc/passwd", "clusters/team": "/etc", "reconciler.yaml": "/etc/passwd"} {
		if err := os.Symlink(target, filepath.Join(u.Dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	gittest.Run(t, u.Dir, "add", "-A")
	// a submodule is a tree entry of mode 160000 naming a commit of another repository
	gittest.Run(t, u.Dir, "update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("ab", 20)+",clusters/sub.yaml")
	gittest.Run(t, u.Dir, "commit", "--quiet", "-m", "links")
	gittest.Run(t, u.Dir, "push", "--quiet", "origin", "HEAD:refs/heads/main")

	co, err := newSource(t, r, nil).Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]error{"clusters/x.yaml": repofs.ErrSymlink, "clusters/team": repofs.ErrSymlink, "clusters/sub.yaml": repofs.ErrNotRegular} {
		_, errOpen := co.FS.Open(name)
		_, errRead := fs.ReadFile(co.FS, name)
		for op, err := range map[string]error{"Open": errOpen, "ReadFile": errRead} {
			if !errors.Is(err, want) || strings.Contains(err.Error(), "/etc") {
				t.Errorf("%s(%s) = %v, want %v without the target", op, name, err, want)
			}
		}
		if fi, err := fs.Stat(co.FS, name); err != nil || repofs.CheckMode(fi.Mode()) == nil {
			t.Errorf("Stat(%s) = %v, %v: want it described as what it is", name, fi, err)
		}
	}
	var pe *fs.PathError
	if _, err := fs.ReadFile(co.FS, "clusters/team/passwd"); !errors.Is(err, repofs.ErrSymlink) || !errors.As(err, &pe) || pe.Path != "clusters/team" {
		t.Errorf("read through the linked directory: %v, want ErrSymlink at clusters/team", err)
	}

	_, err = spec.Load(co.FS)
	var list spec.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Load = %v, want an ErrorList", err)
	}
	var got []string
	for _, e := range list {
		if e.File != "clusters/ok.yaml" {
			got = append(got, e.Error())
		}
	}
	const hint = " (hint: replace the link with the file itself)"
	want := []string{
		"clusters/sub.yaml: not a regular file",
		"clusters/team: symlinks are not followed" + hint,
		"clusters/x.yaml: symlinks are not followed" + hint,
		"reconciler.yaml: symlinks are not followed" + hint,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load errors (-want +got):\n%s", diff)
	}
	if strings.Contains(err.Error(), "root:") || strings.Contains(err.Error(), "/etc") {
		t.Errorf("Load quotes a link target or its content:\n%v", err)
	}
}
