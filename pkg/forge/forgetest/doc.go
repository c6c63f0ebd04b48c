// Package forgetest is a recording fake of the GitHub REST calls a preview
// makes (issue comments, commit statuses, the authenticated user), for tests
// where no real GitHub is reachable. Gitea is tested for real (giteatest).
package forgetest
