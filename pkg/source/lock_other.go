//go:build !unix

package source

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked")

// flock is a no-op where flock(2) does not exist: the cache is not guarded.
func flock(*os.File) error { return nil }
