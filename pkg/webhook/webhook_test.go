package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

var secret = []byte("webhook-secret")

// hmacHex computes the signature independently of the package under test.
func hmacHex(key []byte, body string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

const pushMain = `{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567","repository":{"full_name":"o/r"}}`

func TestHandler(t *testing.T) {
	cases := []struct {
		name     string
		method   string
		body     string
		headers  map[string]string
		want     int
		triggers int
	}{
		{"github valid", "POST", pushMain, map[string]string{"X-Hub-Signature-256": "sha256=" + hmacHex(secret, pushMain), "X-GitHub-Event": "push"}, 202, 1},
		{"gitea valid", "POST", pushMain, map[string]string{"X-Gitea-Signature": hmacHex(secret, pushMain), "X-Gitea-Event": "push"}, 202, 1},
		{"github without prefix", "POST", pushMain, map[string]string{"X-Hub-Signature-256": hmacHex(secret, pushMain)}, 401, 0},
		{"wrong secret", "POST", pushMain, map[string]string{"X-Hub-Signature-256": "sha256=" + hmacHex([]byte("other"), pushMain)}, 401, 0},
		{"body tampered", "POST", strings.Replace(pushMain, "0123", "9999", 1), map[string]string{"X-Gitea-Signature": hmacHex(secret, pushMain)}, 401, 0},
		{"not hex", "POST", pushMain, map[string]string{"X-Gitea-Signature": "zz"}, 401, 0},
		{"missing signature", "POST", pushMain, nil, 401, 0},
		{"bad json", "POST", "{not json", map[string]string{"X-Gitea-Signature": hmacHex(secret, "{not json")}, 400, 0},
		{"other branch", "POST", `{"ref":"refs/heads/dev","after":"x"}`, map[string]string{"X-Gitea-Signature": hmacHex(secret, `{"ref":"refs/heads/dev","after":"x"}`)}, 200, 0},
		{"ping", "POST", `{"zen":"hi"}`, map[string]string{"X-Hub-Signature-256": "sha256=" + hmacHex(secret, `{"zen":"hi"}`), "X-GitHub-Event": "ping"}, 200, 0},
		{"no ref", "POST", `{"after":"x"}`, map[string]string{"X-Gitea-Signature": hmacHex(secret, `{"after":"x"}`)}, 400, 0},
		{"GET", "GET", "", nil, 405, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := make(chan webhook.Push, 4)
			h, err := webhook.New(secret, "main", webhook.Trigger(ch), nil)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(tc.method, "/hooks/push", strings.NewReader(tc.body))
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("status = %d, want %d (body %q)", rec.Code, tc.want, rec.Body.String())
			}
			if len(ch) != tc.triggers {
				t.Fatalf("triggers = %d, want %d", len(ch), tc.triggers)
			}
			if tc.triggers == 1 {
				if p := <-ch; p.Ref != "refs/heads/main" || p.After != "0123456789abcdef0123456789abcdef01234567" {
					t.Errorf("trigger got %+v", p)
				}
			}
		})
	}
}

func TestNewRequiresSecret(t *testing.T) {
	_, err := webhook.New(nil, "main", func(webhook.Push) {}, nil)
	if !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("New without secret: err = %v, want ErrNoSecret", err)
	}
}

// TestTriggerNeverBlocks floods a full channel over a real server: every
// request is answered and the pending reconciles coalesce to the channel size.
func TestTriggerNeverBlocks(t *testing.T) {
	ch := make(chan webhook.Push, 1)
	h, err := webhook.New(secret, "main", webhook.Trigger(ch), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 20 {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(pushMain))
		req.Header.Set("X-Hub-Signature-256", "sha256="+hmacHex(secret, pushMain))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if len(ch) != 1 {
		t.Errorf("pending triggers = %d, want 1 (coalesced)", len(ch))
	}
}

func TestSignMatchesIndependentHMAC(t *testing.T) {
	if got, want := webhook.Sign(secret, []byte(pushMain)), hmacHex(secret, pushMain); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
