package forge

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// PullRequests opens and keeps up to date the pull requests the reconciler
// proposes itself (end-of-life upgrades, spec syncs): one per head branch.
type PullRequests interface {
	// PushBranch points bc.Branch at one commit over bc.Base's tip that writes bc.Files,
	// force-pushing it; it pushes nothing when the branch already is such a commit.
	PushBranch(ctx context.Context, bc BranchCommit) (Pushed, error)
	// UpsertPull edits the open pull request whose head is pr.Head (title and body), or opens
	// one when there is none: never a second one for the same head.
	UpsertPull(ctx context.Context, pr PullRequest) (Pull, error)
	// OpenPull returns the open pull request whose head is head, if any.
	OpenPull(ctx context.Context, head string) (*Pull, error)
	// OpenPulls lists the open pull requests (every page).
	OpenPulls(ctx context.Context) ([]Pull, error)
	// ClosePull closes pull request number with a comment (when comment is not empty).
	ClosePull(ctx context.Context, number int, comment string) error
}

// PullRequest is what UpsertPull writes.
type PullRequest struct {
	Head, Base  string // branch names of the same repository
	Title, Body string
}

// Pull is a pull request as the forge returns it.
type Pull struct {
	Number  int
	URL     string
	Head    string
	Title   string
	Body    string
	Created bool // UpsertPull opened it (false: it edited the open one)
}

type apiPull struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	State   string `json:"state"`
	Head    struct {
		Ref string `json:"ref"`
	} `json:"head"`
}

func (p apiPull) pull() Pull {
	return Pull{Number: p.Number, URL: p.HTMLURL, Head: p.Head.Ref, Title: p.Title, Body: p.Body}
}

// NewPullRequests returns the pull-request client of kind (gitea or github).
func NewPullRequests(kind string, o Options) (PullRequests, error) {
	f, err := New(kind, o)
	if err != nil {
		return nil, err
	}
	return f.(PullRequests), nil
}

var (
	_ PullRequests = (*Gitea)(nil)
	_ PullRequests = (*GitHub)(nil)
)

func (c *repoClient) UpsertPull(ctx context.Context, pr PullRequest) (Pull, error) {
	if pr.Head == "" || pr.Base == "" || pr.Head == pr.Base {
		return Pull{}, fmt.Errorf("forge: a pull request needs distinct head and base branches (head %q, base %q)", pr.Head, pr.Base)
	}
	if c.bodyLimit > 0 {
		pr.Body = Truncate(pr.Body, c.bodyLimit)
	}
	open, err := c.OpenPull(ctx, pr.Head)
	if err != nil {
		return Pull{}, err
	}
	var out apiPull
	if open != nil {
		if open.Title == pr.Title && open.Body == pr.Body {
			return *open, nil
		}
		in := map[string]string{"title": pr.Title, "body": pr.Body}
		if err := c.api.do(ctx, "PATCH", fmt.Sprintf("%s/pulls/%d", c.repoPath, open.Number), in, &out); err != nil {
			return Pull{}, err
		}
		return out.pull(), nil
	}
	in := map[string]string{"head": pr.Head, "base": pr.Base, "title": pr.Title, "body": pr.Body}
	if err := c.api.do(ctx, "POST", c.repoPath+"/pulls", in, &out); err != nil {
		return Pull{}, err
	}
	p := out.pull()
	p.Created = true
	return p, nil
}

// OpenPull returns the open pull request whose head is head (both forges list pull requests the
// same way; GitHub's head filter needs the owner, Gitea has none).
func (c *repoClient) OpenPull(ctx context.Context, head string) (*Pull, error) {
	all, err := c.OpenPulls(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Head == head {
			return &all[i], nil
		}
	}
	return nil, nil
}

func (c *repoClient) OpenPulls(ctx context.Context) ([]Pull, error) {
	var out []Pull
	for page := 1; ; page++ {
		q := url.Values{"state": {"open"}, c.pageParam: {strconv.Itoa(c.pageSize)}, "page": {strconv.Itoa(page)}}
		var list []apiPull
		if err := c.api.do(ctx, "GET", c.repoPath+"/pulls?"+q.Encode(), nil, &list); err != nil {
			return nil, err
		}
		for _, p := range list {
			if p.State == "" || p.State == "open" {
				out = append(out, p.pull())
			}
		}
		if len(list) < c.pageSize {
			return out, nil
		}
	}
}

func (c *repoClient) ClosePull(ctx context.Context, number int, comment string) error {
	if number <= 0 {
		return fmt.Errorf("forge: invalid pull request number %d", number)
	}
	if comment != "" {
		path := fmt.Sprintf("%s/issues/%d/comments", c.repoPath, number)
		if err := c.api.do(ctx, "POST", path, map[string]string{"body": comment}, nil); err != nil {
			return err
		}
	}
	return c.api.do(ctx, "PATCH", fmt.Sprintf("%s/pulls/%d", c.repoPath, number), map[string]string{"state": "closed"}, nil)
}
