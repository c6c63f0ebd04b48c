package spec

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// NotifySettings is reconciler.yaml's notify: where the loop sends alerts (docs/notifications.md).
type NotifySettings struct {
	// Sinks receive every event they subscribe to.
	Sinks []NotifySink `json:"sinks"`
	// FailureThreshold is how many consecutive failed passes make a pass-failed alert (default 1).
	FailureThreshold int `json:"failureThreshold,omitempty"`
	// RateLimit: one sink gets the same event (same kind, same subject) at most once per this
	// (default 1h, at least 1m).
	RateLimit *Duration `json:"rateLimit,omitempty"`
	// StuckAfter: a cluster whose work has waited that long on a cluster or pool that is not
	// ready (updating, upgrading, locked) makes a stuck alert (default 2h, 10m to 7 days).
	StuckAfter *Duration `json:"stuckAfter,omitempty"`
}

// NotifySink is one receiver: a generic JSON webhook or a Slack-compatible incoming webhook.
type NotifySink struct {
	// Name identifies the sink in logs and metrics; default: its type and index (webhook-0).
	Name string `json:"name,omitempty"`
	// Type is webhook or slack.
	Type string `json:"type"`
	// URL is a webhook's endpoint (not a secret: it is committed). A slack sink takes urlFrom.
	URL string `json:"url,omitempty"`
	// URLFrom reads the endpoint from the reconciler's environment or a file: required for slack,
	// whose URL is the credential.
	URLFrom *SecretRef `json:"urlFrom,omitempty"`
	// SecretFrom is a webhook's HMAC-SHA256 key: each request is signed with it.
	SecretFrom *SecretRef `json:"secretFrom,omitempty"`
	// Events are the kinds this sink receives; default: all of NotifyEvents.
	Events []string `json:"events,omitempty"`
}

// SecretRef names a secret in the reconciler's environment (env) or a file it can read (file);
// exactly one. The value is read when a notification is sent and is never written anywhere.
type SecretRef struct {
	Env  string `json:"env,omitempty"`
	File string `json:"file,omitempty"`
}

// NotifyEvents are the event kinds a sink can subscribe to.
var NotifyEvents = []string{"pass-failed", "deferred-past-deadline", "deletion", "forced-upgrade", "wave-halted", "stuck"}

// NotifySinkTypes are the sink types.
var NotifySinkTypes = []string{"webhook", "slack"}

// validateNotify checks notify: on its own; nothing is read from the environment here.
func validateNotify(is *issues, n *NotifySettings) {
	if n == nil {
		return
	}
	if n.FailureThreshold < 0 {
		is.addf("notify.failureThreshold", "must be at least 1, got %d", n.FailureThreshold)
	}
	if n.RateLimit != nil && n.RateLimit.Duration < time.Minute {
		is.hint("notify.rateLimit", fmt.Sprintf("must be at least 1m, got %s", n.RateLimit.Duration), "e.g. rateLimit: 1h")
	}
	if n.StuckAfter != nil && (n.StuckAfter.Duration < 10*time.Minute || n.StuckAfter.Duration > 7*24*time.Hour) {
		is.hint("notify.stuckAfter", fmt.Sprintf("must be between 10m and 168h, got %s", n.StuckAfter.Duration), "e.g. stuckAfter: 2h")
	}
	// A sink without a name is named <type>-<index> (pkg/notify): an explicit name may not take it.
	names := map[string]bool{}
	for i, s := range n.Sinks {
		if s.Name == "" {
			names[fmt.Sprintf("%s-%d", s.Type, i)] = true
		}
	}
	explicit := map[string]bool{}
	for i, s := range n.Sinks {
		p := fmt.Sprintf("notify.sinks[%d]", i)
		if s.Name != "" {
			switch {
			case explicit[s.Name]:
				is.addf(p+".name", "duplicate sink name %q", s.Name)
			case names[s.Name]:
				is.hint(p+".name", fmt.Sprintf("duplicate sink name %q: an unnamed sink is named <type>-<index>", s.Name), "give this sink another name, or name the other one")
			}
			explicit[s.Name] = true
		}
		switch s.Type {
		case "webhook":
			switch {
			case s.URL == "" && s.URLFrom == nil:
				is.hint(p+".url", "a webhook needs url or urlFrom", "url: https://alerts.example.com/hook")
			case s.URL != "" && s.URLFrom != nil:
				is.add(p+".url", "set url or urlFrom, not both")
			case s.URL != "":
				if msg := checkURL(s.URL); msg != "" {
					is.add(p+".url", msg)
				}
			}
		case "slack":
			if s.URL != "" {
				is.hint(p+".url", "a Slack incoming-webhook URL is a credential: do not commit it",
					"urlFrom: {env: SLACK_WEBHOOK_URL} (or {file: /path/to/secret})")
			} else if s.URLFrom == nil {
				is.hint(p+".urlFrom", "a slack sink needs urlFrom", "urlFrom: {env: SLACK_WEBHOOK_URL}")
			}
			if s.SecretFrom != nil {
				is.add(p+".secretFrom", "slack requests are not signed: the URL is the secret; remove secretFrom")
			}
		case "":
			is.hint(p+".type", "required", "one of: "+strings.Join(NotifySinkTypes, ", "))
		default:
			is.hint(p+".type", fmt.Sprintf("unknown sink type %q", s.Type), "one of: "+strings.Join(NotifySinkTypes, ", "))
		}
		validateSecretRef(is, p+".urlFrom", s.URLFrom)
		validateSecretRef(is, p+".secretFrom", s.SecretFrom)
		for j, e := range s.Events {
			if !slices.Contains(NotifyEvents, e) {
				is.hint(fmt.Sprintf("%s.events[%d]", p, j), fmt.Sprintf("unknown event %q", e), "one of: "+strings.Join(NotifyEvents, ", "))
			}
		}
	}
}

func validateSecretRef(is *issues, p string, r *SecretRef) {
	switch {
	case r == nil:
	case (r.Env == "") == (r.File == ""):
		is.hint(p, "set exactly one of env and file", "{env: NAME} or {file: /path/to/secret}")
	case r.Env != "" && !envNameRE.MatchString(r.Env):
		is.addf(p+".env", "invalid environment variable name %q", r.Env)
	case r.Env != "" && ownCredentialEnv(r.Env):
		is.hint(p+".env", fmt.Sprintf("%s holds a credential of the reconciler itself, never a notification secret", r.Env), "a variable of its own, e.g. {env: ALERTS_WEBHOOK_KEY}")
	case r.File != "" && !strings.HasPrefix(r.File, "/"):
		is.hint(p+".file", fmt.Sprintf("file %q must be an absolute path on the reconciler's host", r.File), "e.g. /var/run/secrets/alerts/token")
	}
}

// checkURL says what is wrong with a committed webhook URL ("" when nothing).
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return fmt.Sprintf("invalid URL %q", raw)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("URL scheme must be https or http, got %q", u.Scheme)
	case u.User != nil:
		return "the URL must not carry credentials: use secretFrom for the signing key"
	}
	return ""
}
