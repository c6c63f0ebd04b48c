package forge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// api is the HTTP plumbing the forge clients share: JSON in and out, one
// Authorization header, errors without the token.
type api struct {
	base   string // API root, no trailing slash
	auth   string // the Authorization header value
	token  string // only to redact it from error text
	client *http.Client
}

func newAPI(base, auth, token string, c *http.Client) *api {
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	return &api{base: strings.TrimRight(base, "/"), auth: auth, token: token, client: c}
}

// APIError is a forge's refusal.
type APIError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("forge: %s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// do sends in (JSON, when non-nil) and decodes the response into out (when non-nil).
func (a *api) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("forge: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return fmt.Errorf("forge: %s %s: %w", method, path, a.redactErr(err))
	}
	req.Header.Set("Authorization", a.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "scaleway-gitops-reconciler")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("forge: %s %s: %w", method, path, a.redactErr(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("forge: read %s %s: %w", method, path, a.redactErr(err))
	}
	if resp.StatusCode/100 != 2 {
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: a.redact(message(raw))}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("forge: decode %s %s: %w", method, path, err)
	}
	return nil
}

// message is the server's own error message, short.
func message(raw []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	s := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &m) == nil && m.Message != "" {
		s = m.Message
	}
	return shorten(s, 300)
}

func (a *api) redact(s string) string {
	if a.token == "" {
		return s
	}
	return strings.ReplaceAll(s, a.token, "[REDACTED]")
}

func (a *api) redactErr(err error) error {
	if a.token == "" || !strings.Contains(err.Error(), a.token) {
		return err
	}
	return fmt.Errorf("%s", a.redact(err.Error()))
}
