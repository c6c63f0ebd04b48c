package webhook_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

func prBody(action, base string) string {
	return prBodyFrom(action, base, "ops/fleet")
}

// prBodyFrom is a pull request whose head branch is in repository headRepo ("": gone), the base
// being ops/fleet (GitHub's and Gitea's payloads name both as repo.full_name).
func prBodyFrom(action, base, headRepo string) string {
	repo := `null`
	if headRepo != "" {
		repo = `{"full_name":"` + headRepo + `"}`
	}
	return `{"action":"` + action + `","number":7,"pull_request":{"head":{"ref":"feature","sha":"abc","repo":` + repo + `},"base":{"ref":"` + base + `","repo":{"full_name":"ops/fleet"}}}}`
}

func TestPullRequestEvents(t *testing.T) {
	cases := []struct {
		name, event, body string
		previews          bool // OnPullRequest set
		want              int
		calls             int
	}{
		{"gitea opened", "pull_request", prBody("opened", "main"), true, 202, 1},
		{"gitea new commits", "pull_request_sync", prBody("synchronized", "main"), true, 202, 1},
		{"github new commits", "pull_request", prBody("synchronize", "main"), true, 202, 1},
		{"closed", "pull_request", prBody("closed", "main"), true, 200, 0},
		{"into another branch", "pull_request", prBody("opened", "dev"), true, 200, 0},
		{"no number", "pull_request", `{"action":"opened"}`, true, 400, 0},
		{"previews off", "pull_request", prBody("opened", "main"), false, 200, 0},
		{"same repository, other case", "pull_request", prBodyFrom("opened", "main", "OPS/fleet"), true, 202, 1},
		{"from a fork", "pull_request", prBodyFrom("opened", "main", "mallory/fleet"), true, 200, 0},
		{"from a deleted fork", "pull_request", prBodyFrom("opened", "main", ""), true, 200, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pushes := make(chan webhook.Push, 4)
			h, err := webhook.New(secret, "main", webhook.Trigger(pushes), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []webhook.PullRequest
			if tc.previews {
				h.OnPullRequest(func(p webhook.PullRequest) { got = append(got, p) })
			}
			req := httptest.NewRequest("POST", "/webhook", strings.NewReader(tc.body))
			req.Header.Set("X-Gitea-Event", tc.event)
			req.Header.Set("X-Gitea-Signature", hmacHex(secret, tc.body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want || len(got) != tc.calls || len(pushes) != 0 {
				t.Fatalf("status %d (want %d), %d previews (want %d), %d pushes: %s", rec.Code, tc.want, len(got), tc.calls, len(pushes), rec.Body)
			}
			if tc.calls == 1 && (got[0].Number != 7 || got[0].HeadSHA != "abc" || got[0].BaseRef != "main" || got[0].HeadRef != "feature") {
				t.Errorf("pull request = %+v", got[0])
			}
		})
	}
	// unsigned pull_request events are refused like pushes
	h, _ := webhook.New(secret, "main", func(webhook.Push) {}, nil)
	h.OnPullRequest(func(webhook.PullRequest) { t.Error("an unsigned event triggered a preview") })
	req := httptest.NewRequest("POST", "/webhook", strings.NewReader(prBody("opened", "main")))
	req.Header.Set("X-Gitea-Event", "pull_request")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("unsigned: %d, want 401", rec.Code)
	}
}

// Previews of forks run only when allowed; the pull request then says it is a fork.
func TestPullRequestFromAForkWhenAllowed(t *testing.T) {
	h, err := webhook.New(secret, "main", func(webhook.Push) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []webhook.PullRequest
	h.OnPullRequest(func(p webhook.PullRequest) { got = append(got, p) })
	body := prBodyFrom("opened", "main", "mallory/fleet")
	send := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/webhook", strings.NewReader(body))
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-Hub-Signature-256", "sha256="+hmacHex(secret, body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := send(); rec.Code != 200 || !strings.Contains(rec.Body.String(), "--preview-forks") || len(got) != 0 {
		t.Fatalf("fork by default: %d %q, %d previews", rec.Code, rec.Body, len(got))
	}
	h.AllowForks(true)
	if rec := send(); rec.Code != 202 || len(got) != 1 || !got[0].Fork {
		t.Fatalf("fork allowed: %d %q, previews %+v", rec.Code, rec.Body, got)
	}
}
