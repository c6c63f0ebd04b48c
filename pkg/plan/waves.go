package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// Fleet rollout in waves: a version hop or a node-type replacement of a cluster of wave N waits
// (wave-pending) until every cluster of a lower wave that needs the same hop has taken it and
// stayed healthy for the soak time, and none of them failed (wave-halted).

// Rollout deferral reasons (Deferred.Why).
const (
	WhyWavePending = "wave-pending"
	WhyWaveHalted  = "wave-halted"
)

// Rollout is the repo-level rollout policy (reconciler.yaml rollout:).
type Rollout struct {
	// Soak is how long a lower-wave cluster stays healthy after a hop before the next wave takes it.
	Soak time.Duration
	// HaltOn are the halt conditions in force (spec.HaltConditions); nil: all of them.
	HaltOn []string
}

// Health is what the status files record of a cluster's health for the rollout: since when the
// loop has seen it healthy in the shape Basis describes (zero Since: not healthy when last seen).
type Health struct {
	Since time.Time `json:"since"`
	Basis string    `json:"basis"`
	// Failed is the error of the cluster's last hop or replacement, while it stands.
	Failed string `json:"failed,omitempty"`
}

// HealthFact is a live cluster's health as the rollout judges it.
type HealthFact struct {
	Healthy bool
	// Halting is true when the cluster is unhealthy by a halt condition (a failure, not work in
	// progress); Reason then names the condition.
	Halting bool
	Reason  string
	// Condition is the halt condition the cluster's unhealth falls under (spec.HaltConditions),
	// whether haltOn names it or not; "" for work in progress and a healthy cluster.
	Condition string
}

// HealthOf judges a live cluster: healthy when the cluster and every pool are ready, no pool
// reports an error and every node is ready. An error or locked status, a pool in error, or a
// not-ready node of a settled pool is a halt condition (when haltOn names it: nil means all).
func HealthOf(live *cloud.Cluster, haltOn []string) HealthFact {
	halts := func(cond string) bool { return haltOn == nil || slices.Contains(haltOn, cond) }
	fact := func(cond, format string, args ...any) HealthFact {
		msg := fmt.Sprintf(format, args...)
		if cond != "" {
			msg = cond + ": " + msg
		}
		return HealthFact{Halting: cond != "" && halts(cond), Reason: msg, Condition: cond}
	}
	if live == nil {
		return fact("", "cluster does not exist yet")
	}
	switch live.Status {
	case "ready", "pool_required":
	case "creating", "updating", "upgrading", "deleting":
		return fact("", "cluster %s is %s", live.Name, live.Status)
	default:
		return fact(spec.HaltClusterError, "cluster %s is %s", live.Name, orUnknown(live.Status))
	}
	pools := slices.Clone(live.Pools)
	slices.SortFunc(pools, func(a, b cloud.Pool) int { return cmp.Compare(a.Name, b.Name) })
	for _, p := range pools {
		switch {
		case p.Status == "deleted":
			continue
		case p.ErrorMessage != "":
			return fact(spec.HaltPoolError, "pool %s is %s: %s", p.Name, orUnknown(p.Status), p.ErrorMessage)
		case p.Status == "warning" || p.Status == "error" || p.Status == "locked":
			return fact(spec.HaltPoolError, "pool %s is %s", p.Name, p.Status)
		case p.Status != "ready":
			return fact("", "pool %s is %s", p.Name, orUnknown(p.Status))
		}
		nodes := slices.Clone(p.Nodes)
		slices.SortFunc(nodes, func(a, b cloud.Node) int { return cmp.Compare(a.Name, b.Name) })
		for _, n := range nodes {
			if n.Status != "ready" {
				msg := fmt.Sprintf("pool %s node %s is %s", p.Name, n.Name, orUnknown(n.Status))
				if n.ErrorMessage != "" {
					msg += ": " + n.ErrorMessage
				}
				return fact(spec.HaltNodeNotReady, "%s", msg)
			}
		}
	}
	return HealthFact{Healthy: true}
}

// HealthBasis describes the live shape a health record holds for: the cluster version and each
// pool's version and node type. A hop or a replacement changes it, which restarts the soak clock.
func HealthBasis(live *cloud.Cluster) string { return shapeOf(live).basis() }

// shape is what the rollout compares of a cluster's live state: whether it exists, its version
// and its pools' versions and node types (deleted pools left out). Planned clusters take it from
// the observation, clusters planned elsewhere from their status files (waves_elsewhere.go).
type shape struct {
	exists  bool
	version string
	pools   []RecordedPool
	// updated is the live cluster's updated_at (zero for another shard's cluster): written by
	// Scaleway only, it bounds the soak a status file claims (soakSince).
	updated time.Time
}

// soakSince is when m's soak started: the health time its status file records, but never before
// the live cluster last changed (its updated_at, which only Scaleway writes), less updatedSkew.
// A status file is a report: a forged or stale healthy-since can only make the rollout wait
// longer, never shorter than the time since the cluster's last change.
func (m *member) soakSince() time.Time {
	if floor := m.live.updated.Add(-updatedSkew); !m.live.updated.IsZero() && floor.After(m.rec.Since) {
		return floor
	}
	return m.rec.Since
}

// updatedSkew is how far Scaleway's clock (updated_at) may be ahead of the loop's: the pass that
// records a healthy-since sees the cluster after its last change, so an honest record is never
// more than this before updated_at.
const updatedSkew = 5 * time.Minute

func shapeOf(live *cloud.Cluster) shape {
	if live == nil {
		return shape{}
	}
	s := shape{exists: true, version: live.Version, updated: live.UpdatedAt}
	for _, p := range live.Pools {
		if p.Status != "deleted" {
			s.pools = append(s.pools, RecordedPool{Name: p.Name, Version: p.Version, NodeType: p.NodeType})
		}
	}
	return s
}

// basis is the shape as HealthBasis writes it: "<version> <pool>=<version>/<node type> …".
func (s shape) basis() string {
	if !s.exists {
		return ""
	}
	parts := []string{s.version}
	for _, p := range s.pools {
		parts = append(parts, p.Name+"="+p.Version+"/"+p.NodeType)
	}
	slices.Sort(parts[1:])
	return strings.Join(parts, " ")
}

// member is one desired cluster of the fleet, as the rollout sees it.
type member struct {
	key    string
	name   string
	wave   int
	spec   *spec.Cluster
	live   shape
	health HealthFact
	// rec is the health its status file records (Input.Health, or its Elsewhere facts).
	rec Health
	// elsewhere is set for a cluster another replica plans (Input.Elsewhere); stale, when its
	// recorded facts cannot be trusted, says why: it then holds the higher waves.
	elsewhere bool
	stale     string
}

// fleet is every cluster of the revision with its wave and live state.
type fleet struct {
	members []*member
	multi   bool // more than one wave
	rollout Rollout
	now     time.Time
	// blocked is, per cluster key, the first blocker its hops met (filled by the gates).
	blocked map[string]*blocker
}

func newFleet(in Input, snaps map[cloud.Ref]*indexed) *fleet {
	f := &fleet{rollout: in.Rollout, now: in.Now, blocked: map[string]*blocker{}}
	waves := map[int]bool{}
	seen := map[string]bool{}
	for _, c := range in.Desired {
		m := &member{key: Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name), name: c.Metadata.Name, wave: spec.WaveOf(c), spec: c}
		var live *cloud.Cluster
		if ix, ok := snaps[cloud.Ref{Region: c.Spec.Region, ProjectID: c.Spec.ProjectID}]; ok {
			for _, lc := range ix.byName[c.Metadata.Name] {
				if lc.Status != "deleted" {
					live = lc
				}
			}
		}
		m.live, m.health, m.rec = shapeOf(live), HealthOf(live, in.Rollout.HaltOn), in.Health[m.key]
		waves[m.wave], seen[m.key] = true, true
		f.members = append(f.members, m)
	}
	for _, m := range in.Elsewhere.members(in.Now, in.Rollout.HaltOn) {
		if !seen[m.key] {
			waves[m.wave], seen[m.key] = true, true
			f.members = append(f.members, m)
		}
	}
	slices.SortFunc(f.members, func(a, b *member) int { return cmp.Or(cmp.Compare(a.wave, b.wave), cmp.Compare(a.key, b.key)) })
	f.multi = len(waves) > 1
	return f
}

// hop is what a wave gate compares across clusters: a minor hop, a patch target, or a node type.
type hop struct {
	fromMinor, toMinor string        // minor hop: "1.35" → "1.36"
	version            *spec.Version // patch hop within a minor: the target version
	nodeType           string        // replace-pool: the new node type
}

func (h hop) String() string {
	switch {
	case h.nodeType != "":
		return "the replacement of pools by node type " + h.nodeType
	case h.version != nil:
		return "the upgrade to " + h.version.String()
	}
	return "the hop " + h.fromMinor + " → " + h.toMinor
}

// hopOf is the rollout hop of a draft, if it is one.
func hopOf(d *draft) (hop, bool) {
	switch d.a.Type {
	case UpgradeCluster:
		if len(d.a.Changes) == 0 {
			return hop{}, false
		}
		from, ferr := spec.ParseVersion(fmt.Sprint(d.a.Changes[0].Before))
		to, terr := spec.ParseVersion(d.a.Payload.Version)
		if ferr != nil || terr != nil {
			return hop{}, false
		}
		if from.CompareMinor(to) == 0 {
			return hop{version: &to}, true
		}
		return hop{fromMinor: from.MinorString(), toMinor: to.MinorString()}, true
	case ReplacePool:
		if d.a.Payload.NewPool != nil {
			return hop{nodeType: d.a.Payload.NewPool.NodeType}, true
		}
	}
	return hop{}, false
}

// concerns reports whether member m needs hop h (its spec asks for it), and whether it has taken it.
func (m *member) concerns(h hop) (needs, done bool) {
	want, err := spec.ParseVersion(m.spec.Spec.Version)
	if err != nil && h.nodeType == "" {
		return false, false
	}
	var live spec.Version
	liveOK := false
	if m.live.exists {
		if v, err := spec.ParseVersion(m.live.version); err == nil && v.Exact {
			live, liveOK = v, true
		}
	}
	switch {
	case h.nodeType != "":
		for _, p := range m.spec.Spec.Pools {
			if DesiredPool(m.spec.Spec.Region, p).NodeType != h.nodeType {
				continue
			}
			needs, done = true, m.live.exists
			found := false
			for _, lp := range m.live.pools {
				if (lp.Name == p.Name || spec.IsReplacementName(lp.Name, p.Name)) && lp.NodeType == h.nodeType {
					found = true
				}
			}
			done = done && found
			if !done {
				return true, false
			}
		}
		return needs, done
	case h.version != nil:
		v := *h.version
		if want.Major != v.Major || want.Minor < v.Minor || (want.Minor == v.Minor && want.Exact && want.Patch < v.Patch) {
			return false, false
		}
		return true, liveOK && (live.Minor > v.Minor || (live.Minor == v.Minor && live.Patch >= v.Patch))
	default:
		to, err := spec.ParseVersion(h.toMinor)
		if err != nil || want.Major != to.Major || want.Minor < to.Minor {
			return false, false
		}
		return true, liveOK && live.Minor >= to.Minor
	}
}

// blocker is why a wave may not take a hop yet.
type blocker struct {
	halted bool
	m      *member
	msg    string
	// soaking: the lower cluster took the hop and is healthy since since; it soaks until until.
	soaking      bool
	since, until time.Time
}

// waveGate decides whether cluster c (of wave > 0) may take hop h now: the first lower-wave
// cluster that halts the rollout, else the first one that has not taken the hop or soaked.
func (f *fleet) waveGate(c *spec.Cluster, h hop) (*gate, *blocker) {
	wave := spec.WaveOf(c)
	if f == nil || wave == 0 {
		return nil, nil
	}
	var pending *blocker
	for _, m := range f.members {
		if m.wave >= wave {
			break
		}
		needs, done := m.concerns(h)
		if !needs {
			continue
		}
		if m.stale != "" {
			// Fail closed: what another replica recorded of it is unknown or too old.
			if pending == nil || pending.m.wave != m.wave {
				pending = &blocker{m: m, msg: fmt.Sprintf("waits for wave %d cluster %s, planned by another shard's replica: %s", m.wave, m.name, m.stale)}
			}
			continue
		}
		if !m.health.Healthy && m.health.Halting {
			b := &blocker{halted: true, m: m, msg: fmt.Sprintf("wave %d cluster %s halts the rollout: %s", m.wave, m.name, m.health.Reason)}
			return &gate{WhyWaveHalted, b.msg}, b
		}
		if rec := m.rec; rec.Failed != "" && (f.rollout.HaltOn == nil || slices.Contains(f.rollout.HaltOn, spec.HaltApplyFailed)) {
			b := &blocker{halted: true, m: m, msg: fmt.Sprintf("wave %d cluster %s halts the rollout: %s: %s", m.wave, m.name, spec.HaltApplyFailed, rec.Failed)}
			return &gate{WhyWaveHalted, b.msg}, b
		}
		if pending != nil && pending.m.wave == m.wave {
			continue // the nearest lower wave that blocks is the one named
		}
		switch rec := m.rec; {
		case !done:
			pending = &blocker{m: m, msg: fmt.Sprintf("waits for wave %d cluster %s to take %s", m.wave, m.name, h)}
		case !m.health.Healthy:
			pending = &blocker{m: m, msg: fmt.Sprintf("waits for wave %d cluster %s to become healthy (%s)", m.wave, m.name, m.health.Reason)}
		case f.rollout.Soak <= 0:
		case rec.Since.IsZero() || rec.Basis != m.live.basis():
			pending = &blocker{m: m, msg: fmt.Sprintf("waits for wave %d cluster %s to soak %s: its health since %s is not recorded yet",
				m.wave, m.name, formatDuration(f.rollout.Soak), h)}
		case f.now.Before(m.soakSince().Add(f.rollout.Soak)):
			since := m.soakSince()
			until := since.Add(f.rollout.Soak)
			pending = &blocker{m: m, soaking: true, since: since, until: until,
				msg: fmt.Sprintf("waits for wave %d cluster %s to soak %s after %s: healthy since %s, soaked at %s", m.wave, m.name,
					formatDuration(f.rollout.Soak), h, since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339))}
		}
	}
	if pending != nil {
		return &gate{WhyWavePending, pending.msg}, pending
	}
	return nil, nil
}

// ClusterRollout is a cluster's place in the rollout and what holds it (ClusterPlan.Rollout).
type ClusterRollout struct {
	Wave int `json:"wave"`
	// Halted names the lower-wave cluster that halts this cluster's hops, and why.
	Halted string `json:"halted,omitempty"`
	// Pending says what this cluster's hops wait for.
	Pending string `json:"pending,omitempty"`
}

// RolloutPlan is the wave plan of the fleet (Plan.Rollout): present when the specs use more than
// one wave.
type RolloutPlan struct {
	Soak  string     `json:"soak,omitempty"`
	Waves []WavePlan `json:"waves"`
}

// WavePlan is one wave: its clusters and when it goes.
type WavePlan struct {
	Wave     int      `json:"wave"`
	Clusters []string `json:"clusters"`
	// Elsewhere are the wave's clusters another replica plans (Input.Elsewhere), also in Clusters.
	Elsewhere []string `json:"elsewhere,omitempty"`
	// State is now (a hop runs in this plan), pending, halted, deferred (its hops wait for another
	// reason, e.g. the upgrade window), done (nothing to roll out), or elsewhere (every cluster of
	// the wave is planned by another replica; its state is theirs to tell).
	State string `json:"state"`
	// Message says what a pending or halted wave waits for.
	Message string `json:"message,omitempty"`
	// WaitsFor is the lower wave this one waits for (pending and halted waves).
	WaitsFor *int `json:"waits_for,omitempty"`
	// SoakFrom and SoakedAt are when the soak the wave waits for started and ends, when known.
	SoakFrom *time.Time `json:"soak_from,omitempty"`
	SoakedAt *time.Time `json:"soaked_at,omitempty"`
}

// Wave states.
const (
	WaveNow      = "now"
	WavePending  = "pending"
	WaveHalted   = "halted"
	WaveDeferred = "deferred"
	// WaveUnhealthy is a wave with a cluster that halts the rollout of the higher waves.
	WaveUnhealthy = "unhealthy"
	WaveDone      = "done"
	// WaveElsewhere is a wave whose clusters are all planned by other replicas (run --shards).
	WaveElsewhere = "elsewhere"
)

// rolloutPlan summarises the waves from the cluster plans and the blockers the gates met.
func (f *fleet) rolloutPlan(clusters []ClusterPlan) *RolloutPlan {
	blockers := f.blocked
	if f == nil || !f.multi {
		return nil
	}
	rp := &RolloutPlan{}
	if f.rollout.Soak > 0 {
		rp.Soak = formatDuration(f.rollout.Soak)
	}
	byKey := map[string]*ClusterPlan{}
	for i := range clusters {
		c := &clusters[i]
		byKey[Key(c.Region, c.ProjectID, c.Name)] = c
	}
	for _, m := range f.members {
		if n := len(rp.Waves); n == 0 || rp.Waves[n-1].Wave != m.wave {
			rp.Waves = append(rp.Waves, WavePlan{Wave: m.wave, State: WaveDone, Clusters: []string{}})
		}
		w := &rp.Waves[len(rp.Waves)-1]
		w.Clusters = append(w.Clusters, m.name)
		if m.elsewhere {
			w.Elsewhere = append(w.Elsewhere, m.name)
		}
		if b := blockers[m.key]; b != nil {
			lower := b.m.wave
			switch {
			case b.halted:
				if w.State != WaveHalted {
					w.State, w.Message, w.WaitsFor, w.SoakFrom, w.SoakedAt = WaveHalted, b.msg, &lower, nil, nil
				}
			case w.State == WaveDone || w.State == WaveNow:
				w.State, w.Message, w.WaitsFor = WavePending, b.msg, &lower
				if b.soaking {
					from, until := b.since.UTC(), b.until.UTC()
					w.SoakFrom, w.SoakedAt = &from, &until
				}
			}
			continue
		}
		if m.health.Halting && w.State != WaveHalted && w.State != WaveUnhealthy {
			w.State, w.Message = WaveUnhealthy, m.name+": "+m.health.Reason
			continue
		}
		if cp := byKey[m.key]; cp != nil && (w.State == WaveDone || w.State == WaveDeferred) {
			for _, a := range cp.Actions {
				if a.Type == UpgradeCluster || a.Type == ReplacePool || a.Type == CreateCluster {
					w.State = WaveNow
				}
			}
			for _, d := range cp.Deferred {
				if w.State == WaveDone && (d.Action.Type == UpgradeCluster || d.Action.Type == ReplacePool) {
					w.State, w.Message = WaveDeferred, d.Why+": "+d.Message
				}
			}
		}
	}
	for i := range rp.Waves {
		if w := &rp.Waves[i]; w.State == WaveDone && len(w.Elsewhere) == len(w.Clusters) {
			w.State = WaveElsewhere
		}
	}
	return rp
}

// RolloutLine is the wave plan in one line: "wave 0 now (a), wave 1 after 24h soak (from …) (b), …".
func RolloutLine(rp *RolloutPlan) string { return rolloutLine(rp) }

func rolloutLine(rp *RolloutPlan) string {
	var parts []string
	for _, w := range rp.Waves {
		var s string
		switch st := w.State; {
		case st == WaveNow:
			s = fmt.Sprintf("wave %d now", w.Wave)
		case st == WaveHalted:
			s = fmt.Sprintf("wave %d halted by wave %d", w.Wave, *w.WaitsFor)
		case st == WavePending && w.SoakFrom != nil:
			s = fmt.Sprintf("wave %d after %s soak (from %s, until %s)", w.Wave, rp.Soak,
				w.SoakFrom.Format(time.RFC3339), w.SoakedAt.Format(time.RFC3339))
		case st == WavePending && rp.Soak != "":
			s = fmt.Sprintf("wave %d after wave %d and its %s soak", w.Wave, *w.WaitsFor, rp.Soak)
		case st == WavePending:
			s = fmt.Sprintf("wave %d after wave %d", w.Wave, *w.WaitsFor)
		case st == WaveUnhealthy:
			s = fmt.Sprintf("wave %d unhealthy", w.Wave)
		case st == WaveDeferred:
			s = fmt.Sprintf("wave %d deferred", w.Wave)
		case st == WaveElsewhere:
			s = fmt.Sprintf("wave %d planned by other shards", w.Wave)
		default:
			s = fmt.Sprintf("wave %d done", w.Wave)
		}
		names := strings.Join(w.Clusters, ", ")
		if n := len(w.Elsewhere); n > 0 && n < len(w.Clusters) {
			names = strings.Join(slices.DeleteFunc(slices.Clone(w.Clusters), func(c string) bool { return slices.Contains(w.Elsewhere, c) }), ", ") +
				"; other shards: " + strings.Join(w.Elsewhere, ", ")
		}
		parts = append(parts, s+" ("+names+")")
	}
	return strings.Join(parts, ", ")
}

// rolloutLines are the wave plan's detail lines: one per pending or halted wave, with why.
func rolloutLines(rp *RolloutPlan) []string {
	var out []string
	for _, w := range rp.Waves {
		if w.Message != "" {
			out = append(out, fmt.Sprintf("wave %d %s: %s", w.Wave, w.State, w.Message))
		}
	}
	return out
}

// annotate attaches a cluster's rollout place and pre-flight to its plan.
func (f *fleet) annotate(cp *ClusterPlan, c *spec.Cluster, in Input) {
	key := Key(c.Spec.Region, c.Spec.ProjectID, c.Metadata.Name)
	cp.Preflight = in.Preflight[key]
	if f == nil || !f.multi {
		return
	}
	cp.Rollout = &ClusterRollout{Wave: spec.WaveOf(c)}
	if b := f.blocked[key]; b != nil {
		if b.halted {
			cp.Rollout.Halted = b.msg
		} else {
			cp.Rollout.Pending = b.msg
		}
	}
}

// clusterRolloutNote is " — halted: …" or " — pending: …" (empty when nothing holds the cluster).
func clusterRolloutNote(r *ClusterRollout) string {
	switch {
	case r.Halted != "":
		return " — halted: " + r.Halted
	case r.Pending != "":
		return " — pending: " + r.Pending
	}
	return ""
}
