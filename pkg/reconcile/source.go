package reconcile

import (
	"context"
	"fmt"
	"io/fs"
	"os"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Checkout is one revision of the user's repository.
type Checkout struct {
	// Revision identifies the content (a commit, or "" for a plain directory).
	Revision string
	FS       fs.FS
	// Repo, when set, is FS already loaded and validated (the run loop validates each revision
	// once when it arrives); Plan then does not load it again.
	Repo *spec.Repo
}

// Source yields the desired state. A local directory is DirSource; a git remote plugs in here.
type Source interface {
	Fetch(ctx context.Context) (*Checkout, error)
}

// DirSource reads a local directory as it is (no revision), through repofs.Dir: no symlink is
// followed and no special file opened.
type DirSource struct{ Dir string }

// Fetch returns the directory's tree.
func (d DirSource) Fetch(context.Context) (*Checkout, error) {
	st, err := os.Stat(d.Dir)
	if err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("repository %s is not a directory", d.Dir)
	}
	return &Checkout{FS: repofs.Dir(d.Dir)}, nil
}
