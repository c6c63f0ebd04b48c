package webhook_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

func prBody(action, base string) string {
	return `{"action":"` + action + `","number":7,"pull_request":{"head":{"ref":"feature","sha":"abc"},"base":{"ref":"` + base + `"}}}`
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
