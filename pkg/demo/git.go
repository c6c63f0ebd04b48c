package demo

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing/fstest"
)

// user plays the platform engineer: a clone of the demo repository where files are edited,
// committed and pushed with the git command line.
type user struct {
	dir string
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Platform Engineer", "GIT_AUTHOR_EMAIL=platform@example.com",
		"GIT_COMMITTER_NAME=Platform Engineer", "GIT_COMMITTER_EMAIL=platform@example.com",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// newRepo creates a bare repository at bare, seeded from files (each passed through fix) by a
// first commit pushed from a user clone at work.
func newRepo(bare, work string, files fs.FS, fix func(path string, b []byte) []byte) (*user, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("the demo needs the git command: %w", err)
	}
	if _, err := git(filepath.Dir(bare), "init", "--quiet", "--bare", "--initial-branch=main", bare); err != nil {
		return nil, err
	}
	if _, err := git(filepath.Dir(work), "clone", "--quiet", bare, work); err != nil {
		return nil, err
	}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		b = fix(p, b)
		dst := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		return nil, fmt.Errorf("copy examples: %w", err)
	}
	u := &user{dir: work}
	_, err = u.commitAndPush("Add the example clusters")
	return u, err
}

// edit rewrites one file of the clone.
func (u *user) edit(path string, f func(string) string) error {
	p := filepath.Join(u.dir, filepath.FromSlash(path))
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	return os.WriteFile(p, []byte(f(string(b))), 0o644)
}

// commitAndPush commits everything and pushes, pulling the reconciler's status commits first.
func (u *user) commitAndPush(msg string) (string, error) {
	if _, err := git(u.dir, "add", "-A"); err != nil {
		return "", err
	}
	if _, err := git(u.dir, "commit", "--quiet", "-m", msg); err != nil {
		return "", err
	}
	return u.push()
}

// push pushes the clone's main, pulling the reconciler's status commits first.
func (u *user) push() (string, error) {
	for i := 0; ; i++ {
		if _, err := git(u.dir, "pull", "--quiet", "--rebase", "origin", "main"); err != nil && i == 0 {
			// The very first push has nothing to pull.
			if !strings.Contains(err.Error(), "couldn't find remote ref") {
				return "", err
			}
		}
		_, err := git(u.dir, "push", "--quiet", "origin", "HEAD:main")
		if err == nil || i >= 4 {
			if err != nil {
				return "", err
			}
			break
		}
	}
	return git(u.dir, "rev-parse", "HEAD")
}

// mapFS is a file tree given as path -> content, to seed a repository.
type mapFS map[string]string

func (m mapFS) Open(name string) (fs.File, error) {
	files := fstest.MapFS{}
	for p, c := range m {
		files[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return files.Open(name)
}
