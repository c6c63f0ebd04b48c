package cloudfake

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

var _ cloud.Provider = (*Fake)(nil)

// Call is one recorded Provider call. ID is the target's ID (the name for CreateCluster and
// CreatePool, the project for Observe); Arg is the main argument when there is one (a version, a
// cluster type, "upgradePools" for UpgradeCluster with pools). Err is what the call returned.
type Call struct {
	Method string
	Region string
	ID     string
	Arg    string
	Err    error
}

// String renders the call as Method(id[, arg]) for readable test diffs.
func (c Call) String() string {
	if c.Arg == "" {
		return fmt.Sprintf("%s(%s)", c.Method, c.ID)
	}
	return fmt.Sprintf("%s(%s, %s)", c.Method, c.ID, c.Arg)
}

// Fake is the in-memory provider. Create it with New.
type Fake struct {
	mu         sync.Mutex
	clock      clock.PassiveClock
	readyAfter time.Duration
	versions   []cloud.Version
	seq        int

	nodeTypes map[string][]cloud.NodeType // zone → catalog (WithNodeTypes: strict)
	quotas    map[string]int              // zone → Instance limit (WithQuota)

	clusters []*clusterState // creation order
	calls    []Call
	failNext map[string][]error
}

type transition struct {
	to string // target status; "" = the resource disappears; settled = ready or pool_required
	at time.Time
}

const settled = "\x00settled"

type clusterState struct {
	c       cloud.Cluster // Pools is kept empty; pools live below
	pending *transition
	pools   []*poolState
}

type poolState struct {
	p       cloud.Pool // Nodes is kept empty; nodes live below
	pending *transition
	nodes   []*nodeState
}

type nodeState struct {
	n       cloud.Node
	pending *transition
}

// Option configures a Fake.
type Option func(*Fake)

// WithClock sets the clock used for CreatedAt/UpdatedAt and for settling transitions
// (default: the real clock). Pass a *testingclock.FakeClock and Step it in tests.
func WithClock(c clock.PassiveClock) Option { return func(f *Fake) { f.clock = c } }

// WithReadyAfter sets how long a transient status lasts on the clock (default 0: the status
// shown in a mutation's response settles at the next call).
func WithReadyAfter(d time.Duration) Option { return func(f *Fake) { f.readyAfter = d } }

// WithVersions replaces the version catalog (newest first, one latest patch per minor).
func WithVersions(v []cloud.Version) Option {
	return func(f *Fake) { f.versions = slices.Clone(v) }
}

// DefaultVersions is the fr-par catalog observed in 2026-08 (newest first).
func DefaultVersions() []cloud.Version {
	d := func(s string) *time.Time {
		t, _ := time.Parse(time.DateOnly, s)
		return &t
	}
	return []cloud.Version{
		{Name: "1.36.1", AvailableCNIs: []string{"cilium", "calico", "kilo", "none"}, ReleasedAt: d("2026-05-04"), DeprecatedAt: d("2027-05-04"), EndOfLifeAt: d("2027-07-04")},
		{Name: "1.35.3", AvailableCNIs: []string{"cilium", "calico", "kilo", "none"}, ReleasedAt: d("2026-01-19"), DeprecatedAt: d("2027-01-19"), EndOfLifeAt: d("2027-03-19")},
		{Name: "1.34.6", AvailableCNIs: []string{"cilium", "calico", "kilo", "none"}, ReleasedAt: d("2025-09-29"), DeprecatedAt: d("2026-09-29"), EndOfLifeAt: d("2026-11-29")},
		{Name: "1.33.10", AvailableCNIs: []string{"cilium", "calico", "kilo", "none"}, ReleasedAt: d("2025-09-04"), DeprecatedAt: d("2026-09-04"), EndOfLifeAt: d("2026-11-04")},
	}
}

// New returns an empty fake with the default catalog.
func New(opts ...Option) *Fake {
	f := &Fake{clock: clock.RealClock{}, versions: DefaultVersions(), failNext: map[string][]error{}}
	for _, o := range opts {
		o(f)
	}
	return f
}

// SetReadyAfter changes how long transient statuses last for mutations made from now on.
func (f *Fake) SetReadyAfter(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readyAfter = d
}

// FailNext makes the next call of method (a Provider method name, e.g. "UpgradeCluster") return
// err instead of doing anything. Several calls queue several failures, used in order.
func (f *Fake) FailNext(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext[method] = append(f.failNext[method], err)
}

// Calls returns the recorded calls in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// CallNames returns the recorded calls rendered with Call.String, Observe and GetCluster excluded
// when mutationsOnly is set: the usual thing to assert in apply tests.
func (f *Fake) CallNames(mutationsOnly bool) []string {
	var out []string
	for _, c := range f.Calls() {
		if mutationsOnly && isRead(c.Method) {
			continue
		}
		out = append(out, c.String())
	}
	return out
}

func isRead(m string) bool {
	switch m {
	case "Observe", "GetCluster", "ListClusterAvailableTypes", "ListNodeTypes", "Kubeconfig":
		return true
	}
	return false
}

// ResetCalls forgets the recorded calls.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// Locked marks the cluster or pool with this ID as locked: every mutation on it (or, for a
// cluster, on its pools and nodes) fails with a *cloud.TerminalError "locked". It reports whether
// the ID was found.
func (f *Fake) Locked(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cs := f.cluster(id); cs != nil {
		cs.c.Status, cs.pending = "locked", nil
		return true
	}
	if _, ps := f.pool(id); ps != nil {
		ps.p.Status, ps.pending = "locked", nil
		return true
	}
	return false
}

// Step settles every pending transition now, whatever the clock says.
func (f *Fake) Step() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settle(true)
}

// Pending reports whether any resource is still in a transient status.
func (f *Fake) Pending() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settle(false)
	for _, cs := range f.clusters {
		if cs.pending != nil {
			return true
		}
		for _, ps := range cs.pools {
			if ps.pending != nil {
				return true
			}
			for _, ns := range ps.nodes {
				if ns.pending != nil {
					return true
				}
			}
		}
	}
	return false
}

// Seed stores c as an existing cluster of ref, as is (statuses, versions, nodes and their
// CreatedAt kept). Empty IDs are filled in. It returns the stored cluster.
func (f *Fake) Seed(ref cloud.Ref, c cloud.Cluster) cloud.Cluster {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.ID == "" {
		c.ID = f.newID(0xc1)
	}
	c.Region, c.ProjectID = ref.Region, ref.ProjectID
	cs := &clusterState{c: c}
	for _, p := range c.Pools {
		if p.ID == "" {
			p.ID = f.newID(0xb1)
		}
		p.ClusterID = c.ID
		ps := &poolState{p: p}
		for _, n := range p.Nodes {
			if n.ID == "" {
				n.ID = f.newID(0xd1)
			}
			n.PoolID = p.ID
			ps.nodes = append(ps.nodes, &nodeState{n: n})
		}
		ps.p.Nodes = nil
		cs.pools = append(cs.pools, ps)
	}
	cs.c.Pools = nil
	f.clusters = append(f.clusters, cs)
	return f.view(cs)
}

// begin records a call, settles due transitions and returns an injected failure if one is queued.
// The caller holds f.mu.
func (f *Fake) begin(method, region, id, arg string) (int, error) {
	f.settle(false)
	f.calls = append(f.calls, Call{Method: method, Region: region, ID: id, Arg: arg})
	idx := len(f.calls) - 1
	if q := f.failNext[method]; len(q) > 0 {
		f.failNext[method] = q[1:]
		f.calls[idx].Err = q[0]
		return idx, q[0]
	}
	return idx, nil
}

// end stores err on the recorded call and returns it.
func (f *Fake) end(idx int, err error) error {
	f.calls[idx].Err = err
	return err
}

func (f *Fake) newID(kind int) string {
	f.seq++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, f.seq)
}

func (f *Fake) due() time.Time { return f.clock.Now().Add(f.readyAfter) }

func (f *Fake) cluster(id string) *clusterState {
	for _, cs := range f.clusters {
		if cs.c.ID == id {
			return cs
		}
	}
	return nil
}

func (f *Fake) pool(id string) (*clusterState, *poolState) {
	for _, cs := range f.clusters {
		for _, ps := range cs.pools {
			if ps.p.ID == id {
				return cs, ps
			}
		}
	}
	return nil, nil
}

func (f *Fake) node(id string) (*clusterState, *poolState, *nodeState) {
	for _, cs := range f.clusters {
		for _, ps := range cs.pools {
			for _, ns := range ps.nodes {
				if ns.n.ID == id {
					return cs, ps, ns
				}
			}
		}
	}
	return nil, nil, nil
}

// view returns a deep copy of the cluster with its pools and nodes.
func (f *Fake) view(cs *clusterState) cloud.Cluster {
	c := cloneCluster(cs.c)
	c.Pools = make([]cloud.Pool, 0, len(cs.pools))
	for _, ps := range cs.pools {
		c.Pools = append(c.Pools, poolView(ps))
	}
	return c
}

func poolView(ps *poolState) cloud.Pool {
	p := clonePool(ps.p)
	p.Nodes = make([]cloud.Node, 0, len(ps.nodes))
	for _, ns := range ps.nodes {
		p.Nodes = append(p.Nodes, ns.n)
	}
	return p
}

func cloneCluster(c cloud.Cluster) cloud.Cluster {
	c.Tags = slices.Clone(c.Tags)
	c.FeatureGates = slices.Clone(c.FeatureGates)
	c.AdmissionPlugins = slices.Clone(c.AdmissionPlugins)
	c.APIServerCertSANs = slices.Clone(c.APIServerCertSANs)
	c.OpenIDConnect.GroupsClaim = slices.Clone(c.OpenIDConnect.GroupsClaim)
	c.OpenIDConnect.RequiredClaim = slices.Clone(c.OpenIDConnect.RequiredClaim)
	if c.CommitmentEndsAt != nil {
		t := *c.CommitmentEndsAt
		c.CommitmentEndsAt = &t
	}
	c.Pools = nil
	return c
}

func clonePool(p cloud.Pool) cloud.Pool {
	p.Tags = slices.Clone(p.Tags)
	p.Labels = cloneMap(p.Labels)
	p.KubeletArgs = cloneMap(p.KubeletArgs)
	p.Taints = slices.Clone(p.Taints)
	p.StartupTaints = slices.Clone(p.StartupTaints)
	p.Nodes = nil
	return p
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// normalizeNodeType turns "PRO2-XXS" into "pro2_xxs", as the API stores it.
func normalizeNodeType(t string) string {
	return strings.ReplaceAll(strings.ToLower(t), "-", "_")
}
