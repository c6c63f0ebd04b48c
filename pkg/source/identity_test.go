package source

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

func TestIdentityIgnoresTheURLsForm(t *testing.T) {
	want := Identity("https://git.example.com/acme/fleet", "main")
	if !regexp.MustCompile(`^repo-[0-9a-f]{10}$`).MatchString(want) {
		t.Fatalf("identity %q is not repo-<10 hex>", want)
	}
	for _, u := range []string{
		"https://git.example.com/acme/fleet.git",
		"https://user:s3cret@git.example.com/acme/fleet/",
		"https://GIT.example.com:443/acme/fleet.git",
		"ssh://git@git.example.com/acme/fleet.git",
		"ssh://git@git.example.com:22/acme/fleet",
		"git@git.example.com:acme/fleet.git",
		"http://git.example.com/acme/fleet",
	} {
		if got := Identity(u, "main"); got != want {
			t.Errorf("Identity(%q) = %s, want %s", u, got, want)
		}
	}
	for _, other := range [][2]string{
		{"https://git.example.com/acme/fleet", "staging"},
		{"https://git.example.com/acme/fleet-b", "main"},
		{"https://git.example.org/acme/fleet", "main"},
	} {
		if Identity(other[0], other[1]) == want {
			t.Errorf("Identity(%q, %q) equals the main branch's of another repository", other[0], other[1])
		}
	}
	if Identity("/srv/git/fleet.git", "main") != Identity("file:///srv/git/fleet", "main") {
		t.Error("a local path and its file:// URL differ")
	}
}

func TestLocalIdentityFollowsOriginAndBranch(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@e", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@e")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if LocalIdentity(dir) != "" {
		t.Error("a directory outside git has an identity")
	}
	git("init", "-q", "-b", "main")
	git("commit", "-q", "--allow-empty", "-m", "init")
	if LocalIdentity(dir) != "" {
		t.Error("a repository without origin has an identity")
	}
	git("remote", "add", "origin", "git@git.example.com:acme/fleet.git")
	sub := filepath.Join(dir, "clusters")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, want := LocalIdentity(sub), Identity("https://git.example.com/acme/fleet", "main"); got != want {
		t.Errorf("LocalIdentity = %q, want the loop's %q", got, want)
	}
	git("checkout", "-q", "--detach")
	if got := LocalIdentity(dir); got != "" {
		t.Errorf("detached HEAD (a pull request checkout) has identity %q", got)
	}
}
