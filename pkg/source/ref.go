package source

import (
	"context"
	"fmt"
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// previewNamespace holds the refs FetchRef brings in, apart from the
// remote-tracking refs of the source and target branches.
const previewNamespace = "refs/fetched/"

// FetchRef fetches one ref of the remote at depth 1 into the cache and returns
// a checkout of it. ref is a branch name ("main", "feature/x") or a full ref
// name ("refs/pull/7/head", "refs/heads/x", "refs/tags/v1"). Pull-request
// previews fetch the base and the head this way into one cache; SpecChanges
// then diffs the two trees directly (no merge base: the clone is shallow).
// VerifyKeyRing applies as for Fetch.
func (s *Source) FetchRef(ctx context.Context, ref string) (*checkout.Checkout, error) {
	remoteRef, local, err := refNames(ref)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	co, err := s.fetchCheckoutOf(ctx, remoteRef, local, ref)
	return co, s.sanitize(err)
}

// refNames maps the ref asked for to the remote ref and the local ref it is
// fetched into.
func refNames(ref string) (remote, local plumbing.ReferenceName, err error) {
	name, full := strings.CutPrefix(ref, "refs/")
	if !validBranch(name) {
		return "", "", fmt.Errorf("source: invalid ref %q", ref)
	}
	if !full {
		name = "heads/" + name
	}
	return plumbing.ReferenceName("refs/" + name), plumbing.ReferenceName(previewNamespace + name), nil
}
