package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// PullRequest is what the handler reads from a pull_request event.
type PullRequest struct {
	Number  int
	Action  string
	BaseRef string // the target branch, e.g. main
	HeadRef string // the source branch (possibly in a fork)
	HeadSHA string
	// Fork: the head branch is in another repository than the base (or its repository is gone).
	Fork bool
}

// previewActions are the pull-request actions that change what a preview
// shows (GitHub says "synchronize" for new commits, Gitea "synchronized").
var previewActions = []string{"opened", "reopened", "synchronize", "synchronized", "edited"}

// OnPullRequest makes the handler call f for pull requests into the watched
// branch that were opened, reopened, edited or got new commits; without it,
// pull_request events are ignored. f must not block (see Trigger). Set it
// before serving.
func (h *Handler) OnPullRequest(f func(PullRequest)) { h.pull = f }

// AllowForks makes pull requests from forks previewed too. Off by default: a preview plans with
// the loop's Scaleway credentials and posts live facts (cluster ids, versions, pools) of every
// cluster the pull request names, which anyone able to open a pull request from a fork would
// then read (as Atlantis, which does not run fork pull requests unless allowed).
func (h *Handler) AllowForks(allow bool) { h.forks = allow }

func isPullEvent(event string) bool {
	return event == "pull_request" || event == "pull_request_sync"
}

// servePull answers 400 for a body that is not a pull_request event, 200 for
// other actions and other base branches, and 202 when f was called.
func (h *Handler) servePull(w http.ResponseWriter, r *http.Request, body []byte) {
	var p struct {
		Action      string `json:"action"`
		Number      int    `json:"number"`
		PullRequest struct {
			Head struct {
				Ref  string `json:"ref"`
				SHA  string `json:"sha"`
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"head"`
			Base struct {
				Ref  string `json:"ref"`
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"base"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Number <= 0 {
		http.Error(w, "not a pull_request event", http.StatusBadRequest)
		return
	}
	if !slices.Contains(previewActions, p.Action) {
		fmt.Fprintf(w, "ignored pull request action %q\n", p.Action)
		return
	}
	if p.PullRequest.Base.Ref != h.branch {
		fmt.Fprintf(w, "ignored pull request into %s (watching %s)\n", p.PullRequest.Base.Ref, h.branch)
		return
	}
	head, base := p.PullRequest.Head.Repo, p.PullRequest.Base.Repo
	pr := PullRequest{Number: p.Number, Action: p.Action, BaseRef: p.PullRequest.Base.Ref,
		HeadRef: p.PullRequest.Head.Ref, HeadSHA: p.PullRequest.Head.SHA,
		Fork: head == nil || base == nil || !strings.EqualFold(head.FullName, base.FullName)}
	if pr.Fork && !h.forks {
		h.log.InfoContext(r.Context(), "webhook pull request from a fork ignored", "number", pr.Number)
		fmt.Fprintf(w, "ignored pull request #%d from a fork: previews of forks are off (run --preview-forks)\n", pr.Number)
		return
	}
	h.log.InfoContext(r.Context(), "webhook pull request", "number", pr.Number, "action", pr.Action, "head", pr.HeadSHA)
	h.pull(pr)
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintln(w, "preview triggered")
}
