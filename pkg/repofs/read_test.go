package repofs_test

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

func TestReadFileLimit(t *testing.T) {
	fsys := fstest.MapFS{
		"at.yaml":   {Data: []byte(strings.Repeat("a", 1024))},
		"over.yaml": {Data: []byte(strings.Repeat("a", 1025))},
		"fifo.yaml": {Mode: fs.ModeNamedPipe},
		"dir":       {Mode: fs.ModeDir},
	}
	if b, err := repofs.ReadFile(fsys, "at.yaml", 1024); err != nil || len(b) != 1024 {
		t.Errorf("at the limit: %d bytes, %v", len(b), err)
	}
	_, err := repofs.ReadFile(fsys, "over.yaml", 1024)
	var tl *repofs.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 1024 || err.Error() != "read over.yaml: file too large: over the 1 KiB limit" {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := repofs.ReadFile(fsys, "fifo.yaml", 1024); !errors.Is(err, repofs.ErrNotRegular) {
		t.Errorf("named pipe: %v, want ErrNotRegular", err)
	}
	if _, err := repofs.ReadFile(fsys, "dir", 1024); !errors.Is(err, repofs.ErrNotRegular) {
		t.Errorf("directory: %v, want ErrNotRegular", err)
	}
	if _, err := repofs.ReadFile(fsys, "missing.yaml", 1024); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v, want fs.ErrNotExist", err)
	}
}

// TestReadFileDoesNotTrustStat: a file whose Stat says 0 bytes but which never ends (a file
// that grows, /dev/zero) is read up to the limit plus one byte, then refused.
func TestReadFileDoesNotTrustStat(t *testing.T) {
	f := &endless{}
	_, err := repofs.ReadFile(endlessFS{f}, "zero.yaml", 1<<20)
	var tl *repofs.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("err = %v, want *TooLargeError", err)
	}
	if f.read != 1<<20+1 {
		t.Errorf("read %d bytes, want the limit plus one (%d)", f.read, 1<<20+1)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{4 << 20: "4 MiB", 512 << 10: "512 KiB", 100: "100 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := repofs.FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// endlessFS holds one regular file that claims 0 bytes and reads zeros forever.
type endlessFS struct{ f *endless }

func (e endlessFS) Open(string) (fs.File, error) { return e.f, nil }

type endless struct{ read int }

func (f *endless) Stat() (fs.FileInfo, error) { return f, nil }
func (f *endless) Close() error               { return nil }
func (f *endless) Read(p []byte) (int, error) {
	clear(p)
	f.read += len(p)
	return len(p), nil
}
func (f *endless) Name() string       { return "zero.yaml" }
func (f *endless) Size() int64        { return 0 }
func (f *endless) Mode() fs.FileMode  { return 0o444 }
func (f *endless) ModTime() time.Time { return time.Time{} }
func (f *endless) IsDir() bool        { return false }
func (f *endless) Sys() any           { return nil }

var _ io.Reader = (*endless)(nil)
