package forge

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path"
	"slices"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

// BranchCommit is the one commit PushBranch puts on Branch.
type BranchCommit struct {
	Base, Branch string
	// Files are written over Base's tree (slash-separated paths; content replaces the file).
	Files map[string][]byte
	// Unchanged names top-level entries (e.g. status, reports) whose differences alone do not
	// call for a push: a branch whose tree equals the new one but for them is kept as it is.
	Unchanged []string
	Message   string
	// Author of the commit; When defaults to now.
	AuthorName, AuthorEmail string
	When                    time.Time
}

// Pushed is what PushBranch did.
type Pushed struct {
	Head   string // the branch's commit after the call
	Pushed bool   // false: the branch already was this change over Base's tip
}

// cloneURL is the repository's HTTP clone URL, asked once.
func (c *repoClient) cloneURL(ctx context.Context) (string, error) {
	if c.clone != "" {
		return c.clone, nil
	}
	var r struct {
		CloneURL string `json:"clone_url"`
	}
	if err := c.api.do(ctx, "GET", c.repoPath, nil, &r); err != nil {
		return "", err
	}
	if r.CloneURL == "" {
		return "", fmt.Errorf("forge: the repository has no clone URL")
	}
	c.clone = r.CloneURL
	return c.clone, nil
}

// PushBranch fetches Base (and Branch, when it exists) at depth 1 into memory, builds the
// commit and force-pushes it over smart HTTP with the token as the password.
func (c *repoClient) PushBranch(ctx context.Context, bc BranchCommit) (Pushed, error) {
	if bc.Base == "" || bc.Branch == "" || bc.Base == bc.Branch {
		return Pushed{}, fmt.Errorf("forge: push needs distinct base and branch (base %q, branch %q)", bc.Base, bc.Branch)
	}
	u, err := c.cloneURL(ctx)
	if err != nil {
		return Pushed{}, err
	}
	me, err := c.login(ctx)
	if err != nil {
		return Pushed{}, err
	}
	out, err := c.pushBranch(ctx, u, &githttp.BasicAuth{Username: me, Password: c.api.token}, bc)
	if err != nil {
		return Pushed{}, c.api.redactErr(fmt.Errorf("forge: push %s: %w", bc.Branch, err))
	}
	return out, nil
}

func (c *repoClient) pushBranch(ctx context.Context, u string, auth *githttp.BasicAuth, bc BranchCommit) (Pushed, error) {
	r, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		return Pushed{}, err
	}
	rem, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{u}})
	if err != nil {
		return Pushed{}, err
	}
	refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: auth})
	if err != nil {
		return Pushed{}, fmt.Errorf("list refs: %w", err)
	}
	baseRef, branchRef := plumbing.NewBranchReferenceName(bc.Base), plumbing.NewBranchReferenceName(bc.Branch)
	var baseTip, branchTip plumbing.Hash
	for _, ref := range refs {
		switch ref.Name() {
		case baseRef:
			baseTip = ref.Hash()
		case branchRef:
			branchTip = ref.Hash()
		}
	}
	if baseTip.IsZero() {
		return Pushed{}, fmt.Errorf("base branch %q not found", bc.Base)
	}
	specs := []config.RefSpec{config.RefSpec("+" + baseRef.String() + ":refs/remotes/origin/" + bc.Base)}
	if !branchTip.IsZero() {
		specs = append(specs, config.RefSpec("+"+branchRef.String()+":refs/remotes/origin/"+bc.Branch))
	}
	err = rem.FetchContext(ctx, &git.FetchOptions{Auth: auth, Depth: 1, RefSpecs: specs, Tags: git.NoTags})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return Pushed{}, fmt.Errorf("fetch: %w", err)
	}
	base, err := r.CommitObject(baseTip)
	if err != nil {
		return Pushed{}, fmt.Errorf("read %s: %w", bc.Base, err)
	}
	tree := base.TreeHash
	for _, p := range slices.Sorted(mapKeys(bc.Files)) {
		if tree, err = putFile(r.Storer, tree, strings.Split(path.Clean(p), "/"), bc.Files[p]); err != nil {
			return Pushed{}, fmt.Errorf("write %s: %w", p, err)
		}
	}
	if !branchTip.IsZero() {
		if cur, err := r.CommitObject(branchTip); err == nil && len(cur.ParentHashes) == 1 {
			same := cur.TreeHash == tree && cur.ParentHashes[0] == baseTip
			if !same && len(bc.Unchanged) > 0 {
				a, errA := without(r.Storer, cur.TreeHash, bc.Unchanged)
				b, errB := without(r.Storer, tree, bc.Unchanged)
				same = errA == nil && errB == nil && a == b
			}
			if same {
				return Pushed{Head: branchTip.String()}, nil
			}
		}
	}
	when := bc.When
	if when.IsZero() {
		when = time.Now()
	}
	sig := object.Signature{Name: bc.AuthorName, Email: bc.AuthorEmail, When: when}
	if sig.Name == "" || sig.Email == "" {
		sig.Name, sig.Email = "reconciler", "reconciler@scaleway-gitops.invalid"
	}
	h, err := store(r.Storer, &object.Commit{Author: sig, Committer: sig, Message: bc.Message, TreeHash: tree, ParentHashes: []plumbing.Hash{baseTip}})
	if err != nil {
		return Pushed{}, err
	}
	// "+": the branch is the reconciler's own and is replaced whatever it held.
	err = rem.PushContext(ctx, &git.PushOptions{Auth: auth, RefSpecs: []config.RefSpec{config.RefSpec(fmt.Sprintf("+%s:%s", h, branchRef))}})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return Pushed{}, err
	}
	return Pushed{Head: h.String(), Pushed: true}, nil
}

// putFile returns the tree tree with the file at parts set to content (directories created as needed).
func putFile(s storer.EncodedObjectStorer, tree plumbing.Hash, parts []string, content []byte) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !tree.IsZero() {
		t, err := object.GetTree(s, tree)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = slices.Clone(t.Entries)
	}
	name := parts[0]
	i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == name })
	var h plumbing.Hash
	mode := filemode.Regular
	if len(parts) == 1 {
		obj := s.NewEncodedObject()
		obj.SetType(plumbing.BlobObject)
		w, err := obj.Writer()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if _, err := w.Write(content); err != nil {
			return plumbing.ZeroHash, err
		}
		w.Close()
		if h, err = s.SetEncodedObject(obj); err != nil {
			return plumbing.ZeroHash, err
		}
		if i >= 0 && entries[i].Mode == filemode.Executable {
			mode = filemode.Executable
		}
	} else {
		sub := plumbing.ZeroHash
		if i >= 0 && entries[i].Mode == filemode.Dir {
			sub = entries[i].Hash
		}
		var err error
		if h, err = putFile(s, sub, parts[1:], content); err != nil {
			return plumbing.ZeroHash, err
		}
		mode = filemode.Dir
	}
	e := object.TreeEntry{Name: name, Mode: mode, Hash: h}
	if i >= 0 {
		entries[i] = e
	} else {
		entries = append(entries, e)
	}
	// Git's order: by name, a directory compared as if its name ended in "/".
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(key(a), key(b)) })
	return store(s, &object.Tree{Entries: entries})
}

// without is the hash of tree with its top-level entries names removed.
func without(s storer.EncodedObjectStorer, tree plumbing.Hash, names []string) (plumbing.Hash, error) {
	t, err := object.GetTree(s, tree)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	kept := slices.DeleteFunc(slices.Clone(t.Entries), func(e object.TreeEntry) bool { return slices.Contains(names, e.Name) })
	return store(s, &object.Tree{Entries: kept})
}

func store(s storer.EncodedObjectStorer, o interface {
	Encode(plumbing.EncodedObject) error
}) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

func mapKeys[V any](m map[string]V) iter.Seq[string] {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
