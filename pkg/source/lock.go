package source

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CacheLockedError says another Source (another process, or another Source in
// this one) holds the cache directory: two writers on one shallow cache would
// corrupt each other's refs and packs.
type CacheLockedError struct {
	Dir string // the cache of this remote and branch pair
}

func (e *CacheLockedError) Error() string {
	return fmt.Sprintf("cache %s is in use by another reconciler process (one cache directory per process: give this one its own --cache-dir)", e.Dir)
}

// LockCache creates the cache directory and takes an exclusive, non-blocking
// flock on a file next to this Source's cache (<cache>.lock), held until
// Unlock or the process exits (the kernel drops it, even on a crash). A second
// Source on the same cache, in this process or another, gets
// *CacheLockedError. Long-running users (run) call it once at start; the
// one-shot commands use throw-away caches and need not.
func (s *Source) LockCache() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock != nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(s.dir), 0o700); err != nil {
		return fmt.Errorf("create cache dir: %w", err)
	}
	f, err := os.OpenFile(s.dir+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open cache lock: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return &CacheLockedError{Dir: s.dir}
		}
		return fmt.Errorf("lock cache %s: %w", s.dir, err)
	}
	s.lock = f
	return nil
}

// Unlock releases the lock LockCache took; without one it does nothing.
func (s *Source) Unlock() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close() // closing the descriptor releases the flock
	s.lock = nil
	return err
}
