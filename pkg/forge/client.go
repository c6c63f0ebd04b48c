package forge

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// repoClient holds the calls GitHub and Gitea spell the same way (issue
// comments, commit statuses, the authenticated user); each forge's constructor
// sets what differs.
type repoClient struct {
	api       *api
	repoPath  string // /repos/<owner>/<name>
	pageParam string // the page-size query parameter
	pageSize  int
	bodyLimit int // max comment characters; 0: none
	self      string
	clone     string // the HTTP clone URL, asked once
}

type apiComment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	User    struct {
		Login string `json:"login"`
	} `json:"user"`
}

func (c *repoClient) UpsertComment(ctx context.Context, pr int, marker, body string) (Comment, error) {
	if pr <= 0 {
		return Comment{}, fmt.Errorf("forge: invalid pull request number %d", pr)
	}
	body = withMarker(marker, body)
	if c.bodyLimit > 0 {
		body = Truncate(body, c.bodyLimit)
	}
	prev, err := c.findComment(ctx, pr, marker)
	if err != nil {
		return Comment{}, err
	}
	var out apiComment
	if prev != nil {
		path := fmt.Sprintf("%s/issues/comments/%d", c.repoPath, prev.ID)
		if err := c.api.do(ctx, "PATCH", path, map[string]string{"body": body}, &out); err != nil {
			return Comment{}, err
		}
		return Comment{ID: out.ID, URL: out.HTMLURL}, nil
	}
	path := fmt.Sprintf("%s/issues/%d/comments", c.repoPath, pr)
	if err := c.api.do(ctx, "POST", path, map[string]string{"body": body}, &out); err != nil {
		return Comment{}, err
	}
	return Comment{ID: out.ID, URL: out.HTMLURL, Created: true}, nil
}

// findComment returns the first comment on pr by the authenticated user that
// carries marker, or nil.
func (c *repoClient) findComment(ctx context.Context, pr int, marker string) (*apiComment, error) {
	if marker == "" {
		return nil, nil
	}
	me, err := c.login(ctx)
	if err != nil {
		return nil, err
	}
	for page := 1; ; page++ {
		q := url.Values{c.pageParam: {strconv.Itoa(c.pageSize)}, "page": {strconv.Itoa(page)}}
		var list []apiComment
		if err := c.api.do(ctx, "GET", fmt.Sprintf("%s/issues/%d/comments?%s", c.repoPath, pr, q.Encode()), nil, &list); err != nil {
			return nil, err
		}
		for i := range list {
			if list[i].User.Login == me && containsMarker(list[i].Body, marker) {
				return &list[i], nil
			}
		}
		if len(list) < c.pageSize {
			return nil, nil
		}
	}
}

// login is the authenticated user's login, asked once.
func (c *repoClient) login(ctx context.Context) (string, error) {
	if c.self != "" {
		return c.self, nil
	}
	var u struct {
		Login string `json:"login"`
	}
	if err := c.api.do(ctx, "GET", "/user", nil, &u); err != nil {
		return "", err
	}
	if u.Login == "" {
		return "", fmt.Errorf("forge: the token's user has no login")
	}
	c.self = u.Login
	return c.self, nil
}

func (c *repoClient) SetStatus(ctx context.Context, sha string, state State, context, description, targetURL string) error {
	if sha == "" {
		return fmt.Errorf("forge: commit status needs a commit")
	}
	in := map[string]string{"state": string(state), "context": context, "description": shorten(description, 140)}
	if targetURL != "" {
		in["target_url"] = targetURL
	}
	return c.api.do(ctx, "POST", fmt.Sprintf("%s/statuses/%s", c.repoPath, url.PathEscape(sha)), in, nil)
}

func repoPath(owner, name string) string {
	return "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name)
}
