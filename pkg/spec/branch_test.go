package spec

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5/plumbing"
)

// lifecycle.pullRequests.baseBranch "bad..branch" passed validate and failed only when the loop
// opened a pull request: refused at its line, with what a branch name may be.
func TestBaseBranchMustBeABranchName(t *testing.T) {
	load := func(branch string) error {
		settings := "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nlifecycle:\n  pullRequests:\n    forge: github\n    baseBranch: " + branch + "\n"
		_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte(settings)}, "clusters/web.yaml": {Data: []byte(notifyCluster)}})
		return err
	}
	for _, bad := range []string{"bad..branch", `"has space"`, "x.lock", "/main", "main/", ".hidden", "a:b", `"-x"`} {
		err := load(bad)
		if err == nil || !strings.Contains(err.Error(), "reconciler.yaml:6:") || !strings.Contains(err.Error(), "lifecycle.pullRequests.baseBranch: invalid branch name") {
			t.Errorf("baseBranch %s: err = %v, want reconciler.yaml:6:…: lifecycle.pullRequests.baseBranch: invalid branch name", bad, err)
		}
	}
	for _, good := range []string{"main", "release/1.x", "feature-a.b"} {
		if err := load(good); err != nil {
			t.Errorf("baseBranch %s refused: %v", good, err)
		}
	}
}

// validBranchName agrees with go-git's reference name validation of refs/heads/<name>.
func TestValidBranchNameAgreesWithGoGit(t *testing.T) {
	for _, name := range []string{"main", "release/1.x", "a.b", "bad..branch", "x.lock", "x/y.lock/z", "/main", "main/", "a//b",
		".hidden", "a/.b", "a:b", "a b", "a~1", "a^", "a?", "a*", "a[", `a\b`, "a@{1}", "@", "-x", "x.", "a\tb", "a\x7fb", "ü/ok"} {
		want := plumbing.NewBranchReferenceName(name).Validate() == nil
		if got := validBranchName(name); got != want {
			t.Errorf("validBranchName(%q) = %v, go-git says %v", name, got, want)
		}
	}
}
