package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// receiver is a local HTTP endpoint that records what it gets.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	hold chan struct{} // when set, requests wait on it
}

type received struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		if r.hold != nil {
			select {
			case <-r.hold:
			case <-req.Context().Done():
				return
			}
		}
		r.mu.Lock()
		r.got = append(r.got, received{path: req.URL.Path, header: req.Header.Clone(), body: b})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// counter records OnResult calls.
type counter struct {
	mu sync.Mutex
	n  map[Result]int
}

func (c *counter) on(_ string, r Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[Result]int{}
	}
	c.n[r]++
}

func (c *counter) get(r Result) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[r]
}

func flush(t *testing.T, d *Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

var at = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func failure() Event {
	return Event{Kind: PassFailed, Key: "pass-failed/prod-par", Cluster: "prod-par", Revision: "0123456789abcdef0123",
		Summary: "3 consecutive passes failed", Detail: "observe fr-par: <503> Service Unavailable & retries exhausted", At: at}
}

const signingKey = "s3cr3t-signing-key-value"

// A webhook gets the documented JSON, signed with its secret (the signature verifies), and the
// secret is nowhere in what is sent.
func TestWebhookPayloadAndSignature(t *testing.T) {
	rcv := newReceiver(t)
	var logs bytes.Buffer
	d := New(Options{Clock: clocktesting.NewFakeClock(at), Source: "platform-fleet",
		Log:    slog.New(slog.NewTextHandler(&logs, nil)),
		Getenv: func(k string) string { return map[string]string{"ALERT_KEY": signingKey + "\n"}[k] }})
	defer d.Close()
	d.Configure(Config{Sinks: []SinkConfig{{Name: "ops", Type: "webhook", URL: rcv.URL + "/hook", SecretFrom: &spec.SecretRef{Env: "ALERT_KEY"}}}})
	d.Notify(failure())
	flush(t, d)
	got := rcv.requests()
	if len(got) != 1 {
		t.Fatalf("got %d requests, want 1", len(got))
	}
	r := got[0]
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, r.body)
	}
	want := map[string]any{"format_version": "1", "kind": "pass-failed", "key": "pass-failed/prod-par", "cluster": "prod-par",
		"revision": "0123456789abcdef0123", "summary": "3 consecutive passes failed",
		"detail": "observe fr-par: <503> Service Unavailable & retries exhausted", "at": "2026-12-03T09:00:00Z", "source": "platform-fleet"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("payload[%q] = %v, want %v", k, p[k], v)
		}
	}
	if len(p) != len(want) {
		t.Errorf("payload has %d fields, want %d: %s", len(p), len(want), r.body)
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get(EventHeader) != "pass-failed" {
		t.Errorf("headers = %v", r.header)
	}
	sig := r.header.Get(SignatureHeader)
	if !strings.HasPrefix(sig, "sha256=") || !Verify([]byte(signingKey), r.body, sig) {
		t.Errorf("signature %q does not verify with the sink's key", sig)
	}
	if Verify([]byte("another key"), r.body, sig) || Verify([]byte(signingKey), append(r.body, ' '), sig) {
		t.Error("the signature verifies with another key or another body")
	}
	for _, where := range []string{string(r.body), headerText(r.header), logs.String()} {
		if strings.Contains(where, signingKey) {
			t.Errorf("the secret leaked: %s", where)
		}
	}
}

func headerText(h http.Header) string {
	var b strings.Builder
	_ = h.Write(&b)
	return b.String()
}

// A Slack sink posts {"text": ...} in mrkdwn with <, > and & escaped, to the URL read from the
// environment; neither the payload nor the logs carry that URL.
func TestSlackFormat(t *testing.T) {
	rcv := newReceiver(t)
	secretPath := "/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"
	var logs bytes.Buffer
	d := New(Options{Clock: clocktesting.NewFakeClock(at), Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Getenv: func(k string) string { return map[string]string{"SLACK_URL": rcv.URL + secretPath}[k] }})
	defer d.Close()
	d.Configure(Config{Sinks: []SinkConfig{{Name: "chat", Type: "slack", URLFrom: &spec.SecretRef{Env: "SLACK_URL"}}}})
	d.Notify(failure())
	flush(t, d)
	got := rcv.requests()
	if len(got) != 1 || got[0].path != secretPath {
		t.Fatalf("requests = %+v", got)
	}
	var msg map[string]string
	if err := json.Unmarshal(got[0].body, &msg); err != nil || len(msg) != 1 {
		t.Fatalf("slack body = %s (%v), want exactly {\"text\": ...}", got[0].body, err)
	}
	want := ":rotating_light: *pass-failed* `prod-par`: 3 consecutive passes failed (revision `0123456789ab`)\n" +
		"```observe fr-par: &lt;503&gt; Service Unavailable &amp; retries exhausted```"
	if msg["text"] != want {
		t.Errorf("text =\n%s\nwant\n%s", msg["text"], want)
	}
	if got[0].header.Get(SignatureHeader) != "" {
		t.Error("a slack request carries a signature header")
	}
	if strings.Contains(string(got[0].body), "XXXXXXXX") || strings.Contains(logs.String(), "XXXXXXXX") {
		t.Errorf("the Slack URL leaked:\nbody %s\nlogs %s", got[0].body, logs.String())
	}
}

// The same key goes to a sink at most once per rate limit (by the injected clock); another key,
// or the same after the limit, goes through.
func TestRateLimitPerSinkAndKey(t *testing.T) {
	rcv := newReceiver(t)
	clk := clocktesting.NewFakeClock(at)
	var c counter
	d := New(Options{Clock: clk, OnResult: c.on})
	defer d.Close()
	d.Configure(Config{RateLimit: time.Hour, Sinks: []SinkConfig{
		{Name: "a", Type: "webhook", URL: rcv.URL + "/a"},
		{Name: "b", Type: "webhook", URL: rcv.URL + "/b", Events: []Kind{Deletion}},
	}})
	d.Notify(failure())
	d.Notify(failure())
	clk.Step(59 * time.Minute)
	d.Notify(failure())
	other := failure()
	other.Key = "pass-failed/dev-par"
	d.Notify(other)
	flush(t, d)
	if n := len(rcv.requests()); n != 2 {
		t.Fatalf("within the hour: %d requests, want 2 (one per key)", n)
	}
	clk.Step(time.Minute)
	d.Notify(failure())
	flush(t, d)
	got := rcv.requests()
	if len(got) != 3 {
		t.Fatalf("after the hour: %d requests, want 3", len(got))
	}
	for _, r := range got {
		if r.path != "/a" {
			t.Errorf("sink b (deletion only) got a pass-failed event")
		}
	}
	if c.get(RateLimited) != 2 || c.get(Sent) != 3 {
		t.Errorf("results = %v", c.n)
	}
}

// Notify never blocks: with the worker stuck on a slow receiver and the queue full, events are
// dropped and counted; the stuck request ends at the timeout.
func TestQueueFullDropsAndTimeoutBounds(t *testing.T) {
	rcv := newReceiver(t)
	rcv.hold = make(chan struct{})
	defer close(rcv.hold)
	var c counter
	d := New(Options{Clock: clocktesting.NewFakeClock(at), QueueSize: 1, Timeout: 200 * time.Millisecond, OnResult: c.on})
	defer d.Close()
	d.Configure(Config{Sinks: []SinkConfig{{Name: "slow", Type: "webhook", URL: rcv.URL}}})
	for i := range 20 {
		ev := failure()
		ev.Key = strings.Repeat("k", i+1)
		d.Notify(ev) // returns at once whatever the receiver does
	}
	flush(t, d)
	if c.get(Dropped) == 0 || c.get(Failed) == 0 || c.get(Dropped)+c.get(Failed) != 20 {
		t.Errorf("results = %v, want drops and timed-out failures adding up to 20", c.n)
	}
}

// A secret that cannot be read fails the send with an error naming where it was looked for.
func TestMissingSecretFailsWithoutSending(t *testing.T) {
	rcv := newReceiver(t)
	var logs bytes.Buffer
	var c counter
	d := New(Options{Clock: clocktesting.NewFakeClock(at), Log: slog.New(slog.NewTextHandler(&logs, nil)), OnResult: c.on,
		Getenv: func(string) string { return "" }})
	defer d.Close()
	d.Configure(Config{Sinks: []SinkConfig{{Name: "ops", Type: "webhook", URL: rcv.URL, SecretFrom: &spec.SecretRef{Env: "ALERT_KEY"}}}})
	d.Notify(failure())
	flush(t, d)
	if len(rcv.requests()) != 0 || c.get(Failed) != 1 || !strings.Contains(logs.String(), "environment variable ALERT_KEY is empty or unset") {
		t.Errorf("requests %d, results %v, logs %s", len(rcv.requests()), c.n, logs.String())
	}
}

func TestConfigFromSpec(t *testing.T) {
	c := ConfigFrom(&spec.NotifySettings{FailureThreshold: 3, RateLimit: &spec.Duration{Duration: 30 * time.Minute},
		Sinks: []spec.NotifySink{{Type: "slack", URLFrom: &spec.SecretRef{Env: "S"}}, {Name: "ops", Type: "webhook", URL: "https://x", Events: []string{"deletion"}}}})
	if c.Threshold() != 3 || c.rateLimit() != 30*time.Minute || c.Sinks[0].Name != "slack-0" || c.Sinks[1].Name != "ops" ||
		!c.Sinks[1].wants(Deletion) || c.Sinks[1].wants(PassFailed) || !c.Sinks[0].wants(PassFailed) {
		t.Errorf("config = %+v", c)
	}
	if d := ConfigFrom(nil); d.Threshold() != 1 || d.rateLimit() != time.Hour || len(d.Sinks) != 0 {
		t.Errorf("defaults = %+v", d)
	}
}
