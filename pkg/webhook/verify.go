package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// Signature headers.
const (
	GitHubSignatureHeader = "X-Hub-Signature-256" // "sha256=" + hex HMAC-SHA256
	GiteaSignatureHeader  = "X-Gitea-Signature"   // hex HMAC-SHA256, no prefix
)

// ErrNoSecret is returned by New when no secret is configured.
var ErrNoSecret = errors.New("webhook: a secret is required; refusing to accept unsigned webhooks")

var (
	errMissingSignature = errors.New("missing signature header")
	errBadSignature     = errors.New("signature does not match")
)

// Sign returns the hex HMAC-SHA256 of body under secret (Gitea's header
// value; GitHub's is "sha256=" + Sign).
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// signed reports whether h carries a signature header Verify would check.
func signed(h http.Header) bool {
	return h.Get(GitHubSignatureHeader) != "" || h.Get(GiteaSignatureHeader) != ""
}

// Verify checks the request's GitHub or Gitea signature over body. GitHub's
// header wins when both are present.
func Verify(secret []byte, h http.Header, body []byte) error {
	var got string
	switch {
	case h.Get(GitHubSignatureHeader) != "":
		v := h.Get(GitHubSignatureHeader)
		if !strings.HasPrefix(v, "sha256=") {
			return errBadSignature
		}
		got = strings.TrimPrefix(v, "sha256=")
	case h.Get(GiteaSignatureHeader) != "":
		got = h.Get(GiteaSignatureHeader)
	default:
		return errMissingSignature
	}
	sig, err := hex.DecodeString(strings.TrimSpace(got))
	if err != nil {
		return errBadSignature
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	if !hmac.Equal(sig, m.Sum(nil)) {
		return errBadSignature
	}
	return nil
}
