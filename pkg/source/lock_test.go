package source_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// Two Sources on one cache directory: the second is refused with a clear error until the
// first lets go. flock locks are per open file, so this holds within one process as it does
// between two.
func TestLockCacheRefusesASecondSource(t *testing.T) {
	cache := t.TempDir()
	open := func() *source.Source {
		s, err := source.New(source.Options{URL: "https://git.example.com/fleet.git", CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first, second := open(), open()
	if err := first.LockCache(); err != nil {
		t.Fatalf("first LockCache: %v", err)
	}
	if err := first.LockCache(); err != nil {
		t.Fatalf("LockCache again on the holder: %v", err)
	}
	err := second.LockCache()
	var locked *source.CacheLockedError
	if !errors.As(err, &locked) || !strings.Contains(err.Error(), "--cache-dir") {
		t.Fatalf("second LockCache = %v, want *CacheLockedError naming --cache-dir", err)
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := second.LockCache(); err != nil {
		t.Fatalf("LockCache after the first unlocked: %v", err)
	}
	_ = second.Unlock()
}

// The same between two processes: a child (this test binary again) is refused the cache the
// parent holds.
func TestLockCacheRefusesAnotherProcess(t *testing.T) {
	if dir := os.Getenv("SOURCE_LOCK_CHILD_CACHE"); dir != "" {
		s, err := source.New(source.Options{URL: "https://git.example.com/fleet.git", CacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.LockCache(); err != nil {
			fmt.Println("child:", err)
			os.Exit(3)
		}
		return
	}
	cache := t.TempDir()
	s, err := source.New(source.Options{URL: "https://git.example.com/fleet.git", CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LockCache(); err != nil {
		t.Fatal(err)
	}
	defer s.Unlock()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockCacheRefusesAnotherProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SOURCE_LOCK_CHILD_CACHE="+cache)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || !strings.Contains(string(out), "in use by another reconciler process") {
		t.Fatalf("child = %v, output:\n%s\nwant exit 3 and the cache refused", err, out)
	}
}
