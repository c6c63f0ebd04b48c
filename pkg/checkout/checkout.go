package checkout

import (
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

// Checkout is one revision of the user's repository.
type Checkout struct {
	// Revision is the full hex id of the commit ("" for a plain directory).
	Revision string
	Branch   string
	// FS reads the revision's files (a git tree without a worktree, or a directory).
	FS fs.FS
	// SpecDigest identifies the tree without status/ and reports/: two revisions with the same
	// digest hold the same specs ("" for a plain directory).
	SpecDigest string
	Author     string // "Name <email>"
	Message    string
	Time       time.Time
	// SignedBy names the trusted key that signed the commit (when signatures are verified).
	SignedBy string
}

// Dir is the local directory dir read as it is, through repofs.Dir: no symlink is followed and
// no special file opened.
func Dir(dir string) (*Checkout, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("repository %s is not a directory", dir)
	}
	return &Checkout{FS: repofs.Dir(dir)}, nil
}
