package gittest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// User is a clone of a remote with the git CLI, acting as a person who edits
// files, commits and pushes.
type User struct {
	Dir string
	URL string
	Env []string // extra environment (e.g. GIT_SSH_COMMAND)
}

// Clone clones url (any URL the git CLI accepts) into a temporary directory.
func Clone(t testing.TB, url string, env ...string) *User {
	t.Helper()
	u, err := CloneErr(t.TempDir(), url, env...)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// CloneErr is Clone without a testing.TB, for goroutines.
func CloneErr(dir, url string, env ...string) (*User, error) {
	dst := filepath.Join(dir, "clone")
	if _, err := RunErr(dir, env, "clone", "--quiet", url, dst); err != nil {
		return nil, err
	}
	if _, err := RunErr(dst, env, "checkout", "--quiet", "-B", "main"); err != nil {
		return nil, err
	}
	return &User{Dir: dst, URL: url, Env: env}, nil
}

// Write writes files (relative paths) into the clone.
func (u *User) Write(t testing.TB, files map[string]string) {
	t.Helper()
	if err := u.WriteErr(files); err != nil {
		t.Fatal(err)
	}
}

// WriteErr is Write without a testing.TB.
func (u *User) WriteErr(files map[string]string) error {
	for p, content := range files {
		full := filepath.Join(u.Dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// PushBranch switches the clone to branch (created from the current head), writes files,
// commits them and pushes the branch, plus the extra refs given (e.g. refs/pull/1/head), as a
// pull request author does. It returns the pushed head.
func (u *User) PushBranch(t testing.TB, branch string, files map[string]string, msg string, alsoRefs ...string) string {
	t.Helper()
	Run(t, u.Dir, "checkout", "--quiet", "-B", branch)
	u.Write(t, files)
	Run(t, u.Dir, "add", "-A")
	Run(t, u.Dir, "commit", "--quiet", "-m", msg)
	refs := []string{"HEAD:refs/heads/" + branch}
	for _, r := range alsoRefs {
		refs = append(refs, "HEAD:"+r)
	}
	Run(t, u.Dir, append([]string{"push", "--quiet", "origin"}, refs...)...)
	return Run(t, u.Dir, "rev-parse", "HEAD")
}

// CommitAndPush commits everything in the clone and pushes it to main,
// rebasing on the remote and retrying up to attempts times when the push is
// rejected. It returns the pushed head.
func (u *User) CommitAndPush(t testing.TB, msg string, attempts int) string {
	t.Helper()
	h, err := u.CommitAndPushErr(msg, attempts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// CommitAndPushErr is CommitAndPush without a testing.TB, for goroutines.
func (u *User) CommitAndPushErr(msg string, attempts int) (string, error) {
	if _, err := RunErr(u.Dir, u.Env, "add", "-A"); err != nil {
		return "", err
	}
	if _, err := RunErr(u.Dir, u.Env, "commit", "--quiet", "-m", msg); err != nil {
		return "", err
	}
	var last error
	for range attempts {
		if _, err := RunErr(u.Dir, u.Env, "push", "--quiet", "origin", "HEAD:refs/heads/main"); err == nil {
			return RunErr(u.Dir, u.Env, "rev-parse", "HEAD")
		} else {
			last = err
		}
		if !rejected(last) {
			return "", last
		}
		if _, err := RunErr(u.Dir, u.Env, "pull", "--quiet", "--rebase", "origin", "main"); err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("push still rejected after %d attempts: %w", attempts, last)
}

// rejected reports whether a git push failed because the remote moved.
func rejected(err error) bool {
	msg := err.Error()
	for _, s := range []string{"rejected", "fetch first", "non-fast-forward", "failed to update ref", "cannot lock ref", "failed to lock"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
