package apply

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

func upgradePlan(name, id string) plan.ClusterPlan {
	return clusterPlan(name, id,
		act(name, plan.UpgradeCluster, "cluster/"+name, "1.34.6", map[string]string{"version": "1.34.6"}),
		act(name, plan.UpgradePool, "pool/"+name+"/default", "default/1.34.6", map[string]string{"version": "1.34.6"}),
		act(name, plan.UpgradePool, "pool/"+name+"/batch", "batch/1.34.6", map[string]string{"version": "1.34.6"}))
}

func TestRerunSkipsWhatIsDone(t *testing.T) {
	e := newEnv(t, time.Minute)
	seeded := seedReady(e.fake, desiredCluster("prod-par", "1.33.10"))
	p := &plan.Plan{Clusters: []plan.ClusterPlan{
		upgradePlan("prod-par", seeded.ID),
		clusterPlan("edge", "", act("edge", plan.CreateCluster, "cluster/edge", "1.35.3", nil)),
	}}
	fill(p, desiredCluster("prod-par", "1.34.6"), desiredCluster("edge", "1.35.3"))
	in := Input{}
	e.exec.Concurrency = 1 // one cluster at a time: the auto-advancing clock stays deterministic

	first := e.apply(t, p, in)
	if first.Failed() || first.Count(Done) != 4 {
		t.Fatalf("first apply: %+v", first)
	}
	e.fake.ResetCalls()

	second := e.apply(t, p, in) // same plan again, as after a crash: nothing is repeated

	if got := second.Count(Skipped); got != 4 {
		t.Errorf("second apply skipped %d actions, want 4: %+v", got, second)
	}
	if m := e.fake.CallNames(true); len(m) != 0 {
		t.Errorf("second apply mutated: %v", m)
	}
	if second.Clusters[1].ID != first.Clusters[1].ID {
		t.Errorf("create-cluster re-run adopted %q, want the first run's %q", second.Clusters[1].ID, first.Clusters[1].ID)
	}
	if r := second.Clusters[0].Actions[0].Reason; r != "already-at-version" {
		t.Errorf("skip reason = %q", r)
	}
}

func TestTerminalErrorStopsOnlyItsCluster(t *testing.T) {
	e := newEnv(t, 0)
	a := seedReady(e.fake, desiredCluster("a", "1.33.10"))
	b := seedReady(e.fake, desiredCluster("b", "1.33.10"))
	apiErr := &cloud.TerminalError{Reason: "quotas_exceeded", Err: errors.New("quota exceeded for resource k8s_cluster_upgrade")}
	e.exec.Provider = &failUpgrade{Provider: e.fake, id: a.ID, err: apiErr}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{upgradePlan("a", a.ID), upgradePlan("b", b.ID)}}

	res := e.apply(t, p, Input{})

	ra, rb := res.Clusters[0], res.Clusters[1]
	want := []string{"a/upgrade-cluster/1.34.6=failed", "a/upgrade-pool/default/1.34.6=not-run", "a/upgrade-pool/batch/1.34.6=not-run"}
	if diff := cmp.Diff(want, outcomes(ra)); diff != "" {
		t.Errorf("cluster a (-want +got):\n%s", diff)
	}
	if ra.State != ClusterFailed || !strings.Contains(ra.Error, "quota exceeded for resource k8s_cluster_upgrade") ||
		!strings.Contains(ra.Actions[0].Error, "quota exceeded") || !cloud.IsTerminal(ra.Err) {
		t.Errorf("cluster a = state %s error %q, want failed with the API message", ra.State, ra.Error)
	}
	if rb.State != ClusterApplied || rb.Count() != 3 {
		t.Errorf("cluster b = %+v, want all 3 actions done", rb)
	}
	if !res.Failed() {
		t.Error("Result.Failed() = false")
	}
}

// failUpgrade fails every UpgradeCluster of one cluster.
type failUpgrade struct {
	cloud.Provider
	id  string
	err error
}

func (f *failUpgrade) UpgradeCluster(ctx context.Context, region, id, v string, pools bool) error {
	if id == f.id {
		return f.err
	}
	return f.Provider.UpgradeCluster(ctx, region, id, v, pools)
}

// Count on one cluster: actions done.
func (c ClusterResult) Count() int {
	n := 0
	for _, a := range c.Actions {
		if a.Outcome == Done {
			n++
		}
	}
	return n
}

func TestTransientErrorsAreRetriedWithBackoff(t *testing.T) {
	e := newEnv(t, 0)
	a := seedReady(e.fake, desiredCluster("a", "1.33.10"))
	busy := &cloud.TransientError{Reason: "transient_state", Err: errors.New("resource cluster is in a transient state: updating")}
	for range 3 {
		e.fake.FailNext("UpgradeCluster", busy)
	}
	e.exec.Options.Retry = backoff.Policy{Attempts: 5, Base: time.Second, Max: 4 * time.Second}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{upgradePlan("a", a.ID)}}
	start := e.clock.Now()

	res := e.apply(t, p, Input{})

	if res.Failed() {
		t.Fatalf("apply failed: %+v", res.Clusters[0])
	}
	var upgrades int
	for _, c := range e.fake.Calls() {
		if c.Method == "UpgradeCluster" {
			upgrades++
		}
	}
	if upgrades != 4 {
		t.Errorf("UpgradeCluster called %d times, want 3 failures + 1 success", upgrades)
	}
	// jitter pinned at 0.5: delays 0.75s, 1.5s, 3s (base·2ⁿ capped at 4s, half fixed + half·0.5)
	retries := e.eventMessages(EventRetry)
	if len(retries) != 3 || !strings.Contains(retries[0], "retrying in 750ms") || !strings.Contains(retries[2], "retrying in 3s") {
		t.Errorf("retry events = %q", retries)
	}
	if e.clock.Since(start) < 5250*time.Millisecond {
		t.Errorf("backoff took %s of fake time, want at least 5.25s", e.clock.Since(start))
	}
}

func TestTransientErrorsGiveUpAfterAttempts(t *testing.T) {
	e := newEnv(t, 0)
	a := seedReady(e.fake, desiredCluster("a", "1.33.10"))
	for range 3 {
		e.fake.FailNext("UpgradeCluster", &cloud.TransientError{Reason: "rate_limited", Err: errors.New("http error 429 Too Many Requests")})
	}
	e.exec.Options.Retry = backoff.Policy{Attempts: 3}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{upgradePlan("a", a.ID)}}

	res := e.apply(t, p, Input{})

	cr := res.Clusters[0]
	if cr.State != ClusterFailed || !strings.Contains(cr.Error, "giving up after 3 tries") || !strings.Contains(cr.Error, "429") {
		t.Fatalf("cluster = %s %q, want failed after 3 tries with the 429 message", cr.State, cr.Error)
	}
}

// lostResponse creates the cluster and then loses the answer, like a 503 from a proxy after the
// API did the work.
type lostResponse struct {
	cloud.Provider
	once bool
}

func (l *lostResponse) CreateCluster(ctx context.Context, r cloud.Ref, c cloud.Cluster) (*cloud.Cluster, error) {
	got, err := l.Provider.CreateCluster(ctx, r, c)
	if err == nil && !l.once {
		l.once = true
		return nil, &cloud.TransientError{Reason: "server_error", Err: errors.New("http error 503 Service Unavailable")}
	}
	return got, err
}

func TestLostCreateResponseDoesNotDuplicate(t *testing.T) {
	e := newEnv(t, time.Minute)
	e.exec.Provider = &lostResponse{Provider: e.fake}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("edge", "", act("edge", plan.CreateCluster, "cluster/edge", "1.35.3", nil))}}

	res := e.apply(t, fill(p, []cloud.Cluster{desiredCluster("edge", "1.35.3")}...), Input{})

	if res.Failed() || res.Clusters[0].Actions[0].Outcome != Done {
		t.Fatalf("apply: %+v", res.Clusters[0])
	}
	snap, _ := e.fake.Observe(t.Context(), ref)
	if len(snap.Clusters) != 1 || res.Clusters[0].ID != snap.Clusters[0].ID {
		t.Fatalf("clusters after a lost response: %d (result ID %q), want exactly one", len(snap.Clusters), res.Clusters[0].ID)
	}
}

func TestExistingUnownedClusterIsNotAdopted(t *testing.T) {
	e := newEnv(t, 0)
	c := desiredCluster("edge", "1.35.3")
	c.Tags = []string{"team-a"}
	seedReady(e.fake, c)
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("edge", "", act("edge", plan.CreateCluster, "cluster/edge", "1.35.3", nil))}}

	res := e.apply(t, fill(p, []cloud.Cluster{desiredCluster("edge", "1.35.3")}...), Input{})
	if cr := res.Clusters[0]; cr.State != ClusterStale || !strings.Contains(cr.Error, "cluster now exists") {
		t.Fatalf("cluster = %s %q, want stale: it appeared since planning", cr.State, cr.Error)
	}
	// even without the stale check, create-cluster refuses to take it over
	res = e.apply(t, fill(p, []cloud.Cluster{desiredCluster("edge", "1.35.3")}...), Input{SkipStaleCheck: true})
	if cr := res.Clusters[0]; cr.State != ClusterFailed || !strings.Contains(cr.Error, "lacks this repository's ownership tags") {
		t.Fatalf("cluster = %s %q, want failed: not ours", cr.State, cr.Error)
	}
	if m := e.fake.CallNames(true); len(m) != 0 {
		t.Errorf("mutations = %v, want none", m)
	}
}

func TestStalePlanIsRefused(t *testing.T) {
	e := newEnv(t, 0)
	a := seedReady(e.fake, desiredCluster("a", "1.33.10"))
	cp := upgradePlan("a", a.ID)
	cp.BasedOn = plan.FingerprintOf(&a)
	// someone upgrades the control plane between plan and apply
	if err := e.fake.UpgradeCluster(t.Context(), ref.Region, a.ID, "1.34.6", false); err != nil {
		t.Fatal(err)
	}
	e.fake.Step()
	e.fake.ResetCalls()

	res := e.apply(t, &plan.Plan{Clusters: []plan.ClusterPlan{cp}}, Input{})

	cr := res.Clusters[0]
	var se *StalePlanError
	if cr.State != ClusterStale || !errors.As(cr.Err, &se) || !strings.Contains(se.Detail, `cluster version: "1.33.10" → "1.34.6"`) {
		t.Fatalf("cluster = %s %v, want stale naming the version change", cr.State, cr.Err)
	}
	if res.Count(NotRun) != 3 || len(e.fake.CallNames(true)) != 0 {
		t.Errorf("stale plan ran something: %+v, calls %v", cr, e.fake.CallNames(true))
	}

	// nodes coming and going do not make a plan stale
	live, _ := e.fake.GetCluster(t.Context(), ref.Region, a.ID)
	live.Pools[0].Nodes = nil
	cp = upgradePlan("a", a.ID)
	cp.Actions[0].Details["version"] = "1.35.3"
	cp.Actions = cp.Actions[:1]
	cp.BasedOn = plan.FingerprintOf(live)
	res = e.apply(t, &plan.Plan{Clusters: []plan.ClusterPlan{cp}}, Input{})
	if res.Clusters[0].State != ClusterApplied {
		t.Fatalf("up-to-date plan refused: %+v", res.Clusters[0])
	}
}

func TestCreateAdoptsOwnClusterFromAnInterruptedApply(t *testing.T) {
	e := newEnv(t, 0)
	prev := seedReady(e.fake, desiredCluster("edge", "1.35.3")) // tagged: an earlier apply made it
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("edge", "", act("edge", plan.CreateCluster, "cluster/edge", "1.35.3", nil))}}

	res := e.apply(t, fill(p, []cloud.Cluster{desiredCluster("edge", "1.35.3")}...), Input{})

	cr := res.Clusters[0]
	if cr.State != ClusterApplied || cr.ID != prev.ID || cr.Actions[0].Outcome != Skipped || cr.Actions[0].Reason != "already-exists" {
		t.Fatalf("cluster = %+v, want create skipped, adopting %s", cr, prev.ID)
	}
	if m := e.fake.CallNames(true); len(m) != 0 {
		t.Errorf("mutations = %v, want none", m)
	}
}

func TestWaitTimesOutWithLastStatus(t *testing.T) {
	e := newEnv(t, 2*time.Hour)
	e.exec.Options.Timeouts = map[plan.ActionType]time.Duration{plan.CreateCluster: 10 * time.Minute}
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("edge", "",
		act("edge", plan.CreateCluster, "cluster/edge", "1.35.3", nil),
		act("edge", plan.CreatePool, "pool/edge/extra", "extra", nil))}}

	res := e.apply(t, fill(p, []cloud.Cluster{desiredCluster("edge", "1.35.3")}...), Input{})

	cr := res.Clusters[0]
	var te *TimeoutError
	if cr.State != ClusterFailed || !errors.As(cr.Err, &te) || te.Status != "creating" || te.After != 10*time.Minute {
		t.Fatalf("cluster = %s %v, want a 10m timeout in status creating", cr.State, cr.Err)
	}
	if diff := cmp.Diff([]string{"edge/create-cluster/1.35.3=failed", "edge/create-pool/extra=not-run"}, outcomes(cr)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	// progress: on the first poll, then every 30s while the status stays the same
	if msgs := e.eventMessages(EventWaiting); len(msgs) != 20 || msgs[19] != "waiting for cluster edge to be ready: 9m30s, status creating" {
		t.Errorf("waiting events: %d, last %q", len(msgs), msgs[len(msgs)-1])
	}
}

func TestDeleteOfWhatIsGoneIsSkipped(t *testing.T) {
	e := newEnv(t, 0)
	a := seedReady(e.fake, desiredCluster("a", "1.35.3"))
	p := &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("a", a.ID,
		act("a", plan.DeletePool, "pool/a/old", "old", nil))}}

	res := e.apply(t, p, Input{})

	if got := res.Clusters[0].Actions[0]; got.Outcome != Skipped || got.Reason != "already-gone" {
		t.Fatalf("delete-pool = %+v", got)
	}
}

// delete-cluster looks at the live evidence again right before the call: the planned id, this
// repository's owner tag and deletion-protection=false. A cluster that lost any of them since
// planning is not deleted.
func TestDeleteClusterChecksTheLiveEvidenceAgain(t *testing.T) {
	for name, tags := range map[string][]string{
		"protected again":  {cloud.ManagedByTag, cloud.OwnerTag("repo-a"), cloud.ProtectionTag(true)},
		"another owner":    {cloud.ManagedByTag, cloud.OwnerTag("repo-b"), cloud.ProtectionTag(false)},
		"no owner tag":     {cloud.ManagedByTag, cloud.ProtectionTag(false)},
		"two owner tags":   {cloud.ManagedByTag, cloud.OwnerTag("repo-a"), cloud.OwnerTag("repo-b"), cloud.ProtectionTag(false)},
		"evidence present": {cloud.ManagedByTag, cloud.OwnerTag("repo-a"), cloud.ProtectionTag(false)},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, 0)
			c := desiredCluster("gone", "1.35.3")
			c.Tags = tags
			live := seedReady(e.fake, c)
			a := act("gone", plan.DeleteCluster, "cluster/gone", "", map[string]string{"cluster_id": live.ID, "owner": "repo-a"})
			res := e.apply(t, &plan.Plan{Clusters: []plan.ClusterPlan{clusterPlan("gone", live.ID, a)}}, Input{SkipStaleCheck: true})
			deleted := slices.Contains(e.fake.CallNames(true), "DeleteCluster("+live.ID+")")
			if want := name == "evidence present"; deleted != want {
				t.Fatalf("deleted = %v, want %v; result %+v, calls %v", deleted, want, res.Clusters[0], e.fake.CallNames(true))
			}
			if !deleted && !strings.Contains(res.Clusters[0].Error, "not deleting it") {
				t.Errorf("error %q, want the refusal explained", res.Clusters[0].Error)
			}
		})
	}
}
