// Package giteatest starts a real Gitea server for tests: built from the Go
// module proxy by hack/gitea/build.sh and cached outside the repository,
// configured headless (sqlite, no registration, no mailer, no update checker,
// webhooks to loopback allowed), listening on 127.0.0.1 only, with an admin
// user and an access token. Tests that need it skip when the binary is absent.
package giteatest
