package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Headers of a webhook request.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body, keyed by the sink's
	// secret; absent when the sink has none.
	SignatureHeader = "X-Reconciler-Signature-256"
	// EventHeader carries the event's kind.
	EventHeader = "X-Reconciler-Event"
)

// maxSecretSize bounds a secret read from a file.
const maxSecretSize = 64 << 10

// secrets reads the values SecretRefs name.
type secrets struct {
	getenv   func(string) string
	readFile func(string) ([]byte, error)
}

// read returns the secret r names, trimmed; the error names where it was looked for, never a value.
func (s secrets) read(what string, r *spec.SecretRef) (string, error) {
	switch {
	case r == nil:
		return "", nil
	case r.Env != "":
		v := strings.TrimSpace(s.getenv(r.Env))
		if v == "" {
			return "", fmt.Errorf("%s: environment variable %s is empty or unset", what, r.Env)
		}
		return v, nil
	default:
		b, err := s.readFile(r.File)
		if err != nil {
			var pe interface{ Unwrap() error }
			if errors.As(err, &pe) {
				err = pe.Unwrap()
			}
			return "", fmt.Errorf("%s: read %s: %w", what, r.File, err)
		}
		if len(b) > maxSecretSize {
			return "", fmt.Errorf("%s: %s is over %d bytes", what, r.File, maxSecretSize)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("%s: %s is empty", what, r.File)
		}
		return v, nil
	}
}

// request builds the HTTP request sink sends for ev.
func (s secrets) request(ctx context.Context, sink SinkConfig, ev Event, source string) (*http.Request, error) {
	target := sink.URL
	if sink.URLFrom != nil {
		v, err := s.read("urlFrom", sink.URLFrom)
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, errors.New("urlFrom: the value is not an http(s) URL") // never echo it
		}
		target = v
	}
	var body []byte
	var err error
	switch sink.Type {
	case "slack":
		body, err = json.Marshal(map[string]string{"text": slackText(ev)})
	default:
		body, err = json.Marshal(payloadOf(ev, source))
	}
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("invalid URL") // the URL may be a secret
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "scaleway-gitops-reconciler-notify/"+FormatVersion)
	if sink.Type != "slack" {
		req.Header.Set(EventHeader, string(ev.Kind))
		key, err := s.read("secretFrom", sink.SecretFrom)
		if err != nil {
			return nil, err
		}
		if key != "" {
			req.Header.Set(SignatureHeader, Sign([]byte(key), body))
		}
	}
	return req, nil
}

// Sign is the signature header value of body under key: "sha256=" and the hex HMAC-SHA256.
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is body's signature under key (constant time): what a
// receiver does.
func Verify(key, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(key, body)), []byte(header))
}

// send delivers one request; the error never carries the URL.
func send(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL may be the secret
		}
		return fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post: HTTP %d", resp.StatusCode)
	}
	return nil
}

// slackText is the message a Slack-compatible incoming webhook shows (mrkdwn, escaped).
func slackText(ev Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s*", icon(ev.Kind), slackEscape(string(ev.Kind)))
	if ev.Cluster != "" {
		fmt.Fprintf(&b, " `%s`", slackEscape(ev.Cluster))
	}
	fmt.Fprintf(&b, ": %s", slackEscape(ev.Summary))
	if ev.Revision != "" {
		fmt.Fprintf(&b, " (revision `%s`)", slackEscape(short(ev.Revision)))
	}
	if ev.Detail != "" {
		fmt.Fprintf(&b, "\n```%s```", slackEscape(ev.Detail))
	}
	return b.String()
}

func icon(k Kind) string {
	switch k {
	case PassFailed:
		return ":rotating_light:"
	case Deletion:
		return ":wastebasket:"
	default:
		return ":warning:"
	}
}

// slackEscape escapes the three characters Slack's mrkdwn gives a meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
