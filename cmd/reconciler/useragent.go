package main

import (
	"net/http"
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
