package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"weak"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

const remoteName = "origin"

// Source fetches specs from one branch of one remote and commits status back.
// Methods are safe for concurrent use; they run one at a time.
type Source struct {
	opts Options
	ep   *endpoint
	dir  string

	mu      sync.Mutex
	repo    *git.Repository
	dirtyOp int // operations that added objects since the last compaction
	// live holds the commits of checkouts handed out; compaction keeps those
	// whose TreeFS is still referenced, so a revision kept in force stays
	// readable however many ticks later.
	live map[plumbing.Hash]weak.Pointer[TreeFS]
	// lock is the open <dir>.lock holding the flock (LockCache), nil before.
	lock *os.File
}

// New checks the options and resolves the remote. It does no I/O on the
// remote; the cache directory is created on first use.
func New(o Options) (*Source, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	ep, err := resolveEndpoint(o.URL, o.Auth)
	if err != nil {
		return nil, err
	}
	if o.VerifyKeyRing != "" {
		if _, err := readKeyRing(o.VerifyKeyRing); err != nil {
			return nil, err
		}
	}
	// One cache per remote and branch pair, named without credentials.
	sum := sha256.Sum256([]byte(ep.url + "\x00" + o.Branch + "\x00" + o.TargetBranch))
	dir := filepath.Join(o.CacheDir, hex.EncodeToString(sum[:8])+".git")
	return &Source{opts: o, ep: ep, dir: dir}, nil
}

// URL is the remote URL without credentials, for logs and status.
func (s *Source) URL() string { return s.ep.display }

// Branch is the branch specs are read from.
func (s *Source) Branch() string { return s.opts.Branch }

// TargetBranch is the branch status and reports are committed to.
func (s *Source) TargetBranch() string { return s.opts.TargetBranch }

// Fetch brings the source branch head into the cache and returns a checkout
// of it. A remote that did not move costs one ref advertisement round trip and
// returns the same Revision.
func (s *Source) Fetch(ctx context.Context) (*checkout.Checkout, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	co, err := s.fetchCheckout(ctx)
	return co, s.sanitize(err)
}

func (s *Source) fetchCheckout(ctx context.Context) (*checkout.Checkout, error) {
	b := s.opts.Branch
	return s.fetchCheckoutOf(ctx, plumbing.NewBranchReferenceName(b), trackingRef(b), b)
}

// fetchCheckoutOf fetches remoteRef into local and returns a checkout of it,
// named label (a branch name or the ref asked for).
func (s *Source) fetchCheckoutOf(ctx context.Context, remoteRef, local plumbing.ReferenceName, label string) (*checkout.Checkout, error) {
	if err := s.maybeCompact(); err != nil {
		return nil, err
	}
	r, err := s.open()
	if err != nil {
		return nil, err
	}
	head, err := s.fetchRef(ctx, r, remoteRef, local, label)
	if err != nil {
		return nil, err
	}
	c, err := r.CommitObject(head)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", head, err)
	}
	co, err := s.checkoutOf(c, label)
	if err != nil {
		return nil, err
	}
	if s.opts.VerifyKeyRing != "" {
		who, err := verifyCommit(c, s.opts.VerifyKeyRing)
		if err != nil {
			return nil, &UnsignedCommitError{Revision: co.Revision, Err: err}
		}
		co.SignedBy = who
	}
	return co, nil
}

func (s *Source) checkoutOf(c *object.Commit, branch string) (*checkout.Checkout, error) {
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", c.Hash, err)
	}
	tfs := &TreeFS{src: s, root: c.TreeHash, when: c.Committer.When}
	if s.live == nil {
		s.live = map[plumbing.Hash]weak.Pointer[TreeFS]{}
	}
	s.live[c.Hash] = weak.Make(tfs)
	return &checkout.Checkout{
		Revision:   c.Hash.String(),
		Branch:     branch,
		FS:         tfs,
		SpecDigest: specDigest(tree),
		Author:     fmt.Sprintf("%s <%s>", c.Author.Name, c.Author.Email),
		Message:    c.Message,
		Time:       c.Committer.When,
	}, nil
}

// fetchBranch fetches one branch at depth 1 into its remote-tracking ref and
// returns the head. Depth 1 matters for speed: go-git then offers only local
// tips as haves and wants nothing it already has (remote.go getWants).
func (s *Source) fetchBranch(ctx context.Context, r *git.Repository, branch string) (plumbing.Hash, error) {
	return s.fetchRef(ctx, r, plumbing.NewBranchReferenceName(branch), trackingRef(branch), branch)
}

// fetchRef fetches one remote ref at depth 1 into the local ref tracking and
// returns its commit; branch names the ref in errors.
func (s *Source) fetchRef(ctx context.Context, r *git.Repository, remoteRef, tracking plumbing.ReferenceName, branch string) (plumbing.Hash, error) {
	rem := s.remote(r)
	err := rem.FetchContext(ctx, &git.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   []config.RefSpec{config.RefSpec(fmt.Sprintf("+%s:%s", remoteRef, tracking))},
		Depth:      1,
		Auth:       s.ep.auth,
		Tags:       git.NoTags,
	})
	switch {
	case errors.Is(err, git.NoErrAlreadyUpToDate):
	case err != nil:
		var nm git.NoMatchingRefSpecError
		if errors.As(err, &nm) || errors.Is(err, transport.ErrEmptyRemoteRepository) {
			return plumbing.ZeroHash, fmt.Errorf("fetch %q from %s: %w", branch, s.ep.display, ErrBranchNotFound)
		}
		if isAuthFailure(err) {
			return plumbing.ZeroHash, &AuthError{URL: s.ep.display, Err: err}
		}
		return plumbing.ZeroHash, fmt.Errorf("fetch %q from %s: %w", branch, s.ep.display, err)
	default:
		s.dirtyOp++
	}
	ref, err := r.Reference(tracking, true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolve %q: %w", branch, err)
	}
	return ref.Hash(), nil
}

func trackingRef(branch string) plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(remoteName, branch)
}

// remote builds the remote in memory each time: the cache's config never holds
// the URL, so nothing secret or stale is ever written to disk.
func (s *Source) remote(r *git.Repository) *git.Remote {
	return git.NewRemote(r.Storer, &config.RemoteConfig{
		Name:  remoteName,
		URLs:  []string{s.ep.url},
		Fetch: []config.RefSpec{config.RefSpec("+refs/heads/*:refs/remotes/" + remoteName + "/*")},
	})
}

// open opens the cache, creating a bare repository on first use.
func (s *Source) open() (*git.Repository, error) {
	if s.repo != nil {
		return s.repo, nil
	}
	r, err := git.PlainOpen(s.dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(filepath.Dir(s.dir), 0o700); err != nil {
			return nil, fmt.Errorf("create cache dir: %w", err)
		}
		r, err = git.PlainInit(s.dir, true)
	}
	if err != nil {
		return nil, fmt.Errorf("open cache %s: %w", s.dir, err)
	}
	s.repo = r
	return r, nil
}

func (s *Source) sanitize(err error) error {
	return SanitizeError(err, s.ep.secrets...)
}

// Changed reports whether anything outside status/ and reports/ differs
// between fromRev and toRev. An empty or unknown fromRev (never fetched, or
// compacted away) counts as changed: planning again is always safe, skipping
// a real change is not.
func (s *Source) Changed(ctx context.Context, fromRev, toRev string) (bool, error) {
	paths, err := s.SpecChanges(ctx, fromRev, toRev)
	if errors.Is(err, ErrUnknownRevision) && revisionIs(err, fromRev) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return len(paths) > 0, nil
}

// SpecChanges lists, sorted, the paths outside status/ and reports/ that differ
// between fromRev and toRev (added, removed or modified files). Both revisions
// must be in the cache (ErrUnknownRevision otherwise).
func (s *Source) SpecChanges(ctx context.Context, fromRev, toRev string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.open()
	if err != nil {
		return nil, err
	}
	from, err := treeAt(r, fromRev)
	if err != nil {
		return nil, err
	}
	to, err := treeAt(r, toRev)
	if err != nil {
		return nil, err
	}
	return diffSpecTrees(ctx, from, to)
}

type unknownRevisionError struct{ rev string }

func (e *unknownRevisionError) Error() string {
	return fmt.Sprintf("revision %q: %v", e.rev, ErrUnknownRevision)
}
func (e *unknownRevisionError) Unwrap() error { return ErrUnknownRevision }

func revisionIs(err error, rev string) bool {
	var ue *unknownRevisionError
	return errors.As(err, &ue) && ue.rev == rev
}

func treeAt(r *git.Repository, rev string) (*object.Tree, error) {
	if !plumbing.IsHash(rev) {
		return nil, &unknownRevisionError{rev: rev}
	}
	c, err := r.CommitObject(plumbing.NewHash(rev))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, &unknownRevisionError{rev: rev}
	}
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", rev, err)
	}
	t, err := c.Tree()
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, &unknownRevisionError{rev: rev}
	}
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", rev, err)
	}
	return t, nil
}

func validBranch(b string) bool {
	if b == "" || strings.HasPrefix(b, "-") || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") ||
		strings.HasSuffix(b, ".lock") || strings.Contains(b, "..") || strings.Contains(b, "//") {
		return false
	}
	return !strings.ContainsAny(b, " ~^:?*[\\\x7f") && !strings.ContainsFunc(b, func(r rune) bool { return r < 0x20 })
}
