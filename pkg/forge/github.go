package forge

import "cmp"

// GitHubLimit is the longest comment GitHub accepts, in characters.
const GitHubLimit = 65536

// GitHub is GitHub's REST API (api.github.com or GitHub Enterprise's /api/v3):
// bearer tokens, pages of up to 100 (`per_page`), comments of at most
// GitHubLimit characters.
type GitHub struct{ repoClient }

func newGitHub(o Options, owner, name string) *GitHub {
	c := &GitHub{repoClient{
		api:      newAPI(cmp.Or(o.URL, "https://api.github.com"), "Bearer "+o.Token, o.Token, o.Client),
		repoPath: repoPath(owner, name), pageParam: "per_page", pageSize: 100, bodyLimit: GitHubLimit,
	}}
	return c
}
