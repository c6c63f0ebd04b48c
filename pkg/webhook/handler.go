package webhook

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Push is what the handler reads from a push event.
type Push struct {
	Ref   string // e.g. refs/heads/main
	After string // the new head
}

// Handler verifies push webhooks and triggers a reconcile for pushes to Branch.
type Handler struct {
	secret  []byte
	branch  string
	trigger func(Push)
	pull    func(PullRequest) // nil: pull_request events are ignored
	forks   bool              // previews of pull requests from forks (AllowForks)
	log     *slog.Logger
	limits  Limits
	slots   chan struct{} // one per request in flight
}

// New returns a Handler for pushes to branch. trigger must not block for
// long; it is called on the request goroutine after the response is decided
// (use a buffered channel with a non-blocking send, as Trigger does).
func New(secret []byte, branch string, trigger func(Push), log *slog.Logger) (*Handler, error) {
	if len(secret) == 0 {
		return nil, ErrNoSecret
	}
	if branch == "" || trigger == nil {
		return nil, fmt.Errorf("webhook: branch and trigger are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{secret: append([]byte(nil), secret...), branch: branch, trigger: trigger, log: log}
	h.SetLimits(Limits{})
	return h, nil
}

// Trigger returns a trigger func that does a non-blocking send on ch, so a
// burst of pushes coalesces into at most cap(ch) pending reconciles.
func Trigger(ch chan<- Push) func(Push) {
	return func(p Push) {
		select {
		case ch <- p:
		default:
		}
	}
}

// ServeHTTP answers 405 for non-POST; within its Limits, 413 for a body over
// the cap, 408 for one not received in time and 503 (with Retry-After) when
// too many requests are in flight; 401 for a missing or bad signature, 400
// for a body that is not a push event, 200 for pings and pushes to other
// branches, and 202 when a reconcile was triggered.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !h.admit(w, r) {
		return
	}
	defer h.release()
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	if err := Verify(h.secret, r.Header, body); err != nil {
		h.log.WarnContext(r.Context(), "webhook refused", "status", http.StatusUnauthorized, "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	event := eventName(r.Header)
	if event == "ping" {
		fmt.Fprintln(w, "pong")
		return
	}
	var p struct {
		Ref   string `json:"ref"`
		After string `json:"after"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "body is not JSON", http.StatusBadRequest)
		return
	}
	if isPullEvent(event) && h.pull != nil {
		h.servePull(w, r, body)
		return
	}
	if event != "" && event != "push" {
		fmt.Fprintf(w, "ignored %q event\n", event)
		return
	}
	if p.Ref == "" {
		http.Error(w, "not a push event: no ref", http.StatusBadRequest)
		return
	}
	want := "refs/heads/" + h.branch
	if p.Ref != want && p.Ref != h.branch {
		fmt.Fprintf(w, "ignored push to %s (watching %s)\n", p.Ref, want)
		return
	}
	h.log.InfoContext(r.Context(), "webhook push", "ref", p.Ref, "after", p.After)
	h.trigger(Push{Ref: p.Ref, After: p.After})
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintln(w, "reconcile triggered")
}

func eventName(h http.Header) string {
	for _, k := range []string{"X-GitHub-Event", "X-Gitea-Event", "X-Gogs-Event"} {
		if v := h.Get(k); v != "" {
			return strings.ToLower(v)
		}
	}
	return ""
}
