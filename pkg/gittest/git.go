package gittest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Env is the environment every git CLI call gets: no user or system config,
// no prompts, a fixed identity.
func Env() []string {
	env := []string{
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Test User",
		"GIT_AUTHOR_EMAIL=user@example.test",
		"GIT_COMMITTER_NAME=Test User",
		"GIT_COMMITTER_EMAIL=user@example.test",
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GNUPGHOME"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// Run runs git in dir and returns its trimmed stdout; it fails the test on
// error, with stderr in the message.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := RunErr(dir, nil, args...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// RunErr runs git in dir with extra environment and returns trimmed stdout,
// or an error holding the arguments and stderr.
func RunErr(dir string, extraEnv []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(Env(), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// NewBareRepo creates an empty bare repository ROOT/name (name ends in .git
// by convention) with default branch main and returns its path.
func NewBareRepo(t testing.TB, root, name string) string {
	t.Helper()
	dir := filepath.Join(root, name)
	Run(t, root, "init", "--quiet", "--bare", "--initial-branch=main", dir)
	return dir
}

// Seed commits files to branch main of the bare repository at repoPath (via a
// temporary clone) and returns the new head.
func Seed(t testing.TB, repoPath string, files map[string]string, msg string) string {
	t.Helper()
	u := Clone(t, repoPath)
	u.Write(t, files)
	return u.CommitAndPush(t, msg, 5)
}

// Head returns the commit id of branch in the bare repository.
func Head(t testing.TB, repoPath, branch string) string {
	t.Helper()
	return Run(t, repoPath, "rev-parse", "refs/heads/"+branch)
}

// Commit is one entry of Log.
type Commit struct {
	Hash    string
	Subject string
	Files   []string // paths changed relative to the first parent
}

// Log lists the commits of branch in the bare repository, newest first.
func Log(t testing.TB, repoPath, branch string) []Commit {
	t.Helper()
	out := Run(t, repoPath, "log", "--format=@@%H%x00%s", "--name-only", "refs/heads/"+branch)
	var cs []Commit
	for _, block := range strings.Split(out, "@@")[1:] {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		hash, subject, _ := strings.Cut(lines[0], "\x00")
		c := Commit{Hash: hash, Subject: subject}
		for _, l := range lines[1:] {
			if l = strings.TrimSpace(l); l != "" {
				c.Files = append(c.Files, l)
			}
		}
		cs = append(cs, c)
	}
	return cs
}

// Fsck runs `git fsck --strict` on the repository and fails the test on any
// problem.
func Fsck(t testing.TB, repoPath string) {
	t.Helper()
	if _, err := RunErr(repoPath, nil, "fsck", "--strict", "--no-progress"); err != nil {
		t.Fatalf("fsck: %v", err)
	}
}

// Show returns the content of path at rev in the repository.
func Show(t testing.TB, repoPath, rev, path string) string {
	t.Helper()
	return Run(t, repoPath, "show", rev+":"+path)
}
