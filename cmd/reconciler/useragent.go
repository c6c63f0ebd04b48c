package main

import (
	"net/http"
	"os"
	"time"
)

// userAgentTransport sets the reconciler's user agent on every request it sends.
type userAgentTransport struct {
	base http.RoundTripper
	ua   string
}

func (t userAgentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(r)
}

// forgeHTTPClient is the forge clients' HTTP client: their 30 s timeout, and the user agent
// naming this build (reconciler/<version>, as on Scaleway API requests).
func forgeHTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second,
		Transport: userAgentTransport{base: http.DefaultTransport, ua: "reconciler/" + readBuildVersion().short()}}
}

// gitAgentEnv is where go-git reads what it appends to its user agent ("go-git/5.x"), on git
// HTTP requests and in the agent capability of the git protocol.
const gitAgentEnv = "GO_GIT_USER_AGENT_EXTRA"

// nameGitClient makes git servers see this build too ("go-git/5.x reconciler/<version>"), as the
// Scaleway API and the forges do, unless the environment already says what to append.
func nameGitClient() {
	if _, ok := os.LookupEnv(gitAgentEnv); !ok {
		_ = os.Setenv(gitAgentEnv, "reconciler/"+readBuildVersion().short())
	}
}
