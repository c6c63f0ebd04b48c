package plan

import (
	"fmt"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Waves across shards: with run --shards a replica plans the clusters of its shards only, but a
// wave waits for the lower waves of the whole fleet. The clusters another replica plans enter the
// rollout's fleet view (never the plan) with the facts their status files record, written by
// that replica's passes; facts that are missing, recorded for other specs or too old hold the
// higher waves (wave-pending, naming the cluster): the rollout fails closed.

// Elsewhere is the rollout's view of the clusters of the revision that this plan does not plan
// (Input.Elsewhere).
type Elsewhere struct {
	// Clusters are their specs, defaulted like Input.Desired. A cluster also in Desired is
	// planned here and its entry ignored.
	Clusters []*spec.Cluster
	// Facts are, per cluster key (Key), what their status files record; a cluster without an
	// entry has no status file (or no rollout record) yet.
	Facts map[string]RecordedFacts
	// SpecDigest identifies the specs in force: facts recorded for other specs are stale.
	// "": not compared.
	SpecDigest string
	// MaxAge is how long after CheckedAt facts hold; older ones are stale. 0: no limit.
	MaxAge time.Duration
}

// RecordedFacts is what a status file records of a cluster for the rollout, as of the pass that
// wrote it (status.RolloutStatus).
type RecordedFacts struct {
	// File is the status file, for messages.
	File string `json:"file"`
	// SpecDigest identifies the specs the pass that wrote it planned.
	SpecDigest string `json:"spec_digest"`
	// CheckedAt is when a pass last found these facts (zero: the file does not say).
	CheckedAt time.Time `json:"checked_at"`
	// Exists is false when the cluster did not exist then; Version and Pools are its live shape.
	Exists  bool           `json:"exists"`
	Version string         `json:"version,omitempty"`
	Pools   []RecordedPool `json:"pools,omitempty"`
	// Healthy is HealthOf's verdict then; Unhealthy says why not, and HaltCondition names the halt
	// condition it falls under ("" for work in progress): this plan's haltOn decides whether it
	// halts the rollout.
	Healthy       bool   `json:"healthy"`
	Unhealthy     string `json:"unhealthy,omitempty"`
	HaltCondition string `json:"halt_condition,omitempty"`
	// Health is the recorded soak clock and failed hop, as Input.Health holds them for the
	// clusters planned here.
	Health Health `json:"health"`
}

// RecordedPool is a pool of a recorded live shape.
type RecordedPool struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	NodeType string `json:"node_type"`
}

// members are the fleet members of the clusters planned elsewhere, judged at now.
func (e *Elsewhere) members(now time.Time, haltOn []string) []*member {
	if e == nil {
		return nil
	}
	var out []*member
	for _, c := range e.Clusters {
		m := &member{key: Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name), name: c.Metadata.Name, wave: spec.WaveOf(c),
			spec: c, elsewhere: true}
		f, ok := e.Facts[m.key]
		if m.stale = e.staleness(f, ok, now); m.stale != "" {
			m.health = HealthFact{Reason: "its recorded facts are stale: " + m.stale}
			out = append(out, m)
			continue
		}
		m.live, m.rec = f.shape(), f.Health
		switch {
		case f.Healthy:
			m.health = HealthFact{Healthy: true}
		default:
			cond := f.HaltCondition
			m.health = HealthFact{Reason: f.Unhealthy, Condition: cond,
				Halting: cond != "" && (haltOn == nil || slices.Contains(haltOn, cond))}
		}
		out = append(out, m)
	}
	return out
}

// FactsClockSkew is how far ahead of this replica's clock another replica's check time may lie
// and still count (Elsewhere.MaxAge): clocks of replicas differ by seconds, not more.
const FactsClockSkew = time.Minute

// staleness says why facts f (ok: recorded at all) cannot be trusted at now; "" when they can.
func (e *Elsewhere) staleness(f RecordedFacts, ok bool, now time.Time) string {
	switch {
	case !ok:
		return "no status file records its rollout facts yet"
	case e.SpecDigest != "" && f.SpecDigest != e.SpecDigest:
		return fmt.Sprintf("%s was written for other specs (digest %s, not %s)", f.File, shortDigest(f.SpecDigest), shortDigest(e.SpecDigest))
	case f.CheckedAt.IsZero():
		return fmt.Sprintf("%s records no time its facts were checked at", f.File)
	case e.MaxAge > 0 && f.CheckedAt.Sub(now) > FactsClockSkew:
		// A negative age would keep such facts fresh for ever: a clock far ahead, or a forged file.
		return fmt.Sprintf("%s records a check at %s, after %s: a replica's clock is ahead or the file was not written by one",
			f.File, f.CheckedAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case e.MaxAge > 0 && now.Sub(f.CheckedAt) > e.MaxAge:
		return fmt.Sprintf("%s was last checked at %s, more than %s before %s", f.File,
			f.CheckedAt.UTC().Format(time.RFC3339), formatDuration(e.MaxAge), now.UTC().Format(time.RFC3339))
	}
	return ""
}

func (f RecordedFacts) shape() shape {
	if !f.Exists {
		return shape{}
	}
	return shape{exists: true, version: f.Version, pools: slices.Clone(f.Pools)}
}

func shortDigest(d string) string {
	if d == "" {
		return "none"
	}
	if len(d) > 12 {
		return d[:12]
	}
	return d
}
