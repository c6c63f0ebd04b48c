package repofs_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

const secret = "SECRET-ssh-key-material-0d6f"

// repo copies files (path → content) into a new directory and returns it.
func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	m := fstest.MapFS{}
	for p, c := range files {
		m[p] = &fstest.MapFile{Data: []byte(c)}
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDirIsAnFS(t *testing.T) {
	dir := repo(t, map[string]string{"reconciler.yaml": "a: 1\n", "clusters/team/c.yaml": "b: 2\n", "clusters/d.yml": "c: 3\n"})
	if err := fstest.TestFS(repofs.Dir(dir), "reconciler.yaml", "clusters/team/c.yaml", "clusters/d.yml"); err != nil {
		t.Fatal(err)
	}
}

// TestDirRefusesSymlinks: a symlink is refused wherever it is in the path and wherever it points,
// and neither the target's content nor its path is in the error.
func TestDirRefusesSymlinks(t *testing.T) {
	outside := repo(t, map[string]string{"id_rsa": secret, "clusters/a.yaml": secret})
	for _, tc := range []struct {
		name, link, target, open, at string
	}{
		{"to a file outside", "clusters/x.yaml", filepath.Join(outside, "id_rsa"), "clusters/x.yaml", "clusters/x.yaml"},
		{"to /dev/zero", "clusters/x.yaml", "/dev/zero", "clusters/x.yaml", "clusters/x.yaml"},
		{"to a file inside", "clusters/x.yaml", "a.yaml", "clusters/x.yaml", "clusters/x.yaml"},
		{"dangling", "clusters/x.yaml", "nowhere.yaml", "clusters/x.yaml", "clusters/x.yaml"},
		{"a directory outside", "clusters", filepath.Join(outside, "clusters"), "clusters/a.yaml", "clusters"},
		{"a directory inside", "clusters/sub", ".", "clusters/sub/a.yaml", "clusters/sub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := repo(t, map[string]string{"reconciler.yaml": "a: 1\n", "clusters/a.yaml": "b: 2\n"})
			if tc.link == "clusters" {
				os.RemoveAll(filepath.Join(dir, "clusters"))
			}
			if err := os.Symlink(tc.target, filepath.Join(dir, tc.link)); err != nil {
				t.Fatal(err)
			}
			fsys := repofs.Dir(dir)
			_, errOpen := fsys.Open(tc.open)
			_, errStat := fs.Stat(fsys, tc.open)
			_, errRead := fs.ReadFile(fsys, tc.open)
			_, errLimited := repofs.ReadFile(fsys, tc.open, 1<<20)
			for op, err := range map[string]error{"Open": errOpen, "Stat": errStat, "fs.ReadFile": errRead, "ReadFile": errLimited} {
				var pe *fs.PathError
				if !errors.Is(err, repofs.ErrSymlink) || !errors.As(err, &pe) || pe.Path != tc.at {
					t.Errorf("%s(%s) = %v, want a *fs.PathError at %s with ErrSymlink", op, tc.open, err, tc.at)
					continue
				}
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), tc.target) && tc.target != "." {
					t.Errorf("%s error shows the content or the target: %v", op, err)
				}
			}
			// A walk sees the link as a link, and can refuse it by name.
			entries, err := fs.ReadDir(fsys, filepath.Dir(tc.link))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() == filepath.Base(tc.link) && e.Type() != fs.ModeSymlink {
					t.Errorf("entry %s has type %v, want a symlink", e.Name(), e.Type())
				}
			}
		})
	}
}

// TestDirRefusesSpecialFiles: a FIFO, a device and a socket are refused without being opened
// (opening the FIFO would block until a writer comes: never).
func TestDirRefusesSpecialFiles(t *testing.T) {
	dir := repo(t, map[string]string{"clusters/a.yaml": "b: 2\n"})
	specials := map[string]string{"clusters/fifo.yaml": "named pipe", "clusters/sock.yaml": "socket"}
	if err := syscall.Mkfifo(filepath.Join(dir, "clusters/fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(dir, "clusters/sock.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// /dev/zero's numbers; needs CAP_MKNOD (TestDirRefusesSymlinks covers a link to /dev/zero)
	if err := syscall.Mknod(filepath.Join(dir, "clusters/zero.yaml"), syscall.S_IFCHR|0o644, 1<<8|5); err == nil {
		specials["clusters/zero.yaml"] = "device"
	} else {
		t.Logf("no device file: mknod: %v", err)
	}
	fsys := repofs.Dir(dir)
	for name, kind := range specials {
		done := make(chan error, 1)
		go func() {
			_, err := repofs.ReadFile(fsys, name, 1<<20)
			if f, oerr := fsys.Open(name); oerr == nil {
				f.Close()
				err = errors.New("Open succeeded")
			}
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, repofs.ErrNotRegular) || !strings.HasSuffix(err.Error(), "not a regular file: "+kind) {
				t.Errorf("%s: %v, want ErrNotRegular (%s)", name, err, kind)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still blocked after 10 s: it was opened", name)
		}
	}
}

func TestDirStaysInside(t *testing.T) {
	dir := repo(t, map[string]string{"clusters/a.yaml": "b: 2\n"})
	fsys := repofs.Dir(filepath.Join(dir, "clusters"))
	for _, name := range []string{"../clusters/a.yaml", "/etc/passwd", "a.yaml/", ""} {
		if _, err := fsys.Open(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want fs.ErrInvalid", name, err)
		}
	}
	if _, err := fsys.Open("missing.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want fs.ErrNotExist", err)
	}
	if _, err := fsys.Open("a.yaml/x"); err == nil {
		t.Error("a file opened as a directory")
	}
}
