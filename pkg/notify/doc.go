// Package notify sends the reconciler's alerts to the sinks reconciler.yaml's notify: lists: a
// generic JSON webhook (signed with HMAC-SHA256 when it has a secret) and a Slack-compatible
// incoming webhook (docs/notifications.md).
//
// Invariants:
//   - Notify never blocks the loop: events go to a bounded queue that one worker drains; when
//     the queue is full the event is dropped and counted (OnResult "dropped").
//   - Every request is bounded by a timeout, and the worker sends one request at a time.
//   - One sink gets the same event (Event.Key) at most once per rate limit (default 1h), by the
//     injected clock.
//   - Secrets (a webhook's signing key, a Slack URL) are read when a request is sent, from the
//     reconciler's environment or a file, and never reach a payload, a log line or an error: errors
//     name the sink and the env variable or file, never the value, and an HTTP error's URL is
//     dropped.
package notify
