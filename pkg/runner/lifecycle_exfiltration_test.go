package runner

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// reconciler.yaml is written by whoever can commit; the forge token and the Scaleway credentials
// are the operator's. A commit that pointed lifecycle.pullRequests at a server of its own (url)
// and named a credential of the reconciler as the token (tokenEnv) had the loop send that secret
// in the Authorization header of its first forge request. Each scenario here is such a commit
// against a real git remote (smart HTTP) and the emulator: the "forge" records what reaches it.

type recordingForge struct {
	mu    sync.Mutex
	auths []string
	srv   *httptest.Server
}

func newRecordingForge(t *testing.T) *recordingForge {
	f := &recordingForge{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[]"))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *recordingForge) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

// hostURL is the forge's URL under another host name for the same loopback address.
func (f *recordingForge) hostURL(t *testing.T, host string) string {
	u, err := url.Parse(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host + ":" + u.Port()
	return u.String()
}

func lifecycleSettings(forgeURL, extra string) string {
	return "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nlifecycle:\n  pullRequests:\n" +
		"    forge: gitea\n    url: " + forgeURL + "\n    repo: ops/fleet\n" + extra
}

// The forge token went to whatever host reconciler.yaml named; it is now sent only to the host
// the specs are read from, and the loop says why it opens no pull request.
func TestLifecycleForgeOnAnotherHostGetsNoToken(t *testing.T) {
	e := newEnv(t, "revert")
	forge := newRecordingForge(t)
	const token = "forge-token-0123456789"
	t.Setenv("RECONCILER_FORGE_TOKEN", token)
	var events []string
	e.runner.Notify = func(ev Event) { events = append(events, ev.Kind+": "+ev.Message) }
	e.user.Write(t, map[string]string{"reconciler.yaml": lifecycleSettings(forge.hostURL(t, "localhost"), "")})
	e.user.CommitAndPush(t, "point the lifecycle pull requests elsewhere", 3)
	if res := e.tick("push"); !res.Planned {
		t.Fatalf("tick = %+v, want a pass", res)
	}
	for _, a := range forge.seen() {
		if strings.Contains(a, token) {
			t.Fatalf("the forge token reached a host reconciler.yaml chose: Authorization %q", a)
		}
	}
	if n := len(forge.seen()); n != 0 {
		t.Errorf("%d requests reached the foreign forge, want none", n)
	}
	said := strings.Join(events, "\n")
	if !strings.Contains(said, "lifecycle.pullRequests.url") || !strings.Contains(said, "localhost") {
		t.Errorf("events %q: want one saying lifecycle.pullRequests.url names another host (localhost)", said)
	}
}

// tokenEnv named the reconciler's own Scaleway secret: the loop sent it to the forge as a token.
// Such a revision is now invalid, naming the field, and nothing reaches the forge.
func TestLifecycleTokenEnvNeverNamesTheReconcilersCredentials(t *testing.T) {
	e := newEnv(t, "revert")
	if res := e.tick("start"); res.Applied == 0 {
		t.Fatalf("first tick = %+v, want the cluster applied", res)
	}
	forge := newRecordingForge(t) // on 127.0.0.1, the remote's host
	e.pull()
	e.user.Write(t, map[string]string{"reconciler.yaml": lifecycleSettings(forge.srv.URL, "    tokenEnv: SCW_SECRET_KEY\n")})
	e.user.CommitAndPush(t, "use the scaleway key as the forge token", 3)
	e.tick("push")
	for _, a := range forge.seen() {
		if strings.Contains(a, "22222222-0000-4000-8000-000000000000") {
			t.Fatalf("the Scaleway secret key reached the forge: Authorization %q", a)
		}
	}
	if n := len(forge.seen()); n != 0 {
		t.Errorf("%d requests reached the forge, want none", n)
	}
	st := e.status("prod-par")
	found := false
	for _, msg := range st.Errors {
		if strings.Contains(msg, "tokenEnv") && strings.Contains(msg, "SCW_SECRET_KEY") {
			found = true
		}
	}
	if !found {
		t.Errorf("status errors %q: want one naming lifecycle.pullRequests.tokenEnv SCW_SECRET_KEY", st.Errors)
	}
}
