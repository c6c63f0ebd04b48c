package forge

// Gitea is a Gitea server's API (/api/v1): token auth as "token <t>", pages of
// at most 50 (`limit`), no comment size limit.
type Gitea struct{ repoClient }

func newGitea(o Options, owner, name string) *Gitea {
	return &Gitea{repoClient{
		api:      newAPI(o.URL+"/api/v1", "token "+o.Token, o.Token, o.Client),
		repoPath: repoPath(owner, name), pageParam: "limit", pageSize: 50,
	}}
}
