package notify

import (
	"fmt"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// DefaultRateLimit is how often one sink may get the same event by default.
const DefaultRateLimit = time.Hour

// DefaultStuckAfter is how long work may wait on a cluster or pool that is not ready before a
// Stuck event, by default.
const DefaultStuckAfter = 2 * time.Hour

// Config is the sinks and limits in force (reconciler.yaml's notify:).
type Config struct {
	Sinks []SinkConfig
	// FailureThreshold is how many consecutive failed passes make a PassFailed event (default 1).
	FailureThreshold int
	// RateLimit is the minimum time between two sends of one key to one sink (default 1h).
	RateLimit time.Duration
	// StuckAfter is how long work waits on a cluster or pool that is not ready before a Stuck
	// event (default DefaultStuckAfter).
	StuckAfter time.Duration
}

// StuckAfterOr is StuckAfter, or its default.
func (c Config) StuckAfterOr() time.Duration {
	if c.StuckAfter > 0 {
		return c.StuckAfter
	}
	return DefaultStuckAfter
}

// SinkConfig is one sink.
type SinkConfig struct {
	Name string
	// Type is "webhook" or "slack".
	Type string
	// URL is a webhook's committed URL; URLFrom where to read it otherwise (a Slack URL).
	URL     string
	URLFrom *spec.SecretRef
	// SecretFrom is the webhook's HMAC key.
	SecretFrom *spec.SecretRef
	// Events are the kinds sent; empty: all.
	Events []Kind
}

// ConfigFrom is the Config reconciler.yaml's notify: describes (validated by spec.Load); nil: no sink.
func ConfigFrom(n *spec.NotifySettings) Config {
	if n == nil {
		return Config{}
	}
	c := Config{FailureThreshold: n.FailureThreshold}
	if n.RateLimit != nil {
		c.RateLimit = n.RateLimit.Duration
	}
	if n.StuckAfter != nil {
		c.StuckAfter = n.StuckAfter.Duration
	}
	for i, s := range n.Sinks {
		sc := SinkConfig{Name: s.Name, Type: s.Type, URL: s.URL, URLFrom: s.URLFrom, SecretFrom: s.SecretFrom}
		if sc.Name == "" {
			sc.Name = fmt.Sprintf("%s-%d", s.Type, i)
		}
		for _, e := range s.Events {
			sc.Events = append(sc.Events, Kind(e))
		}
		c.Sinks = append(c.Sinks, sc)
	}
	return c
}

func (c Config) threshold() int {
	if c.FailureThreshold > 0 {
		return c.FailureThreshold
	}
	return 1
}

// Threshold is how many consecutive failed passes make a PassFailed event.
func (c Config) Threshold() int { return c.threshold() }

func (c Config) rateLimit() time.Duration {
	if c.RateLimit > 0 {
		return c.RateLimit
	}
	return DefaultRateLimit
}

func (s SinkConfig) wants(k Kind) bool { return len(s.Events) == 0 || slices.Contains(s.Events, k) }
