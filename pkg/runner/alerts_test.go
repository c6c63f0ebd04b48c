package runner

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/notify"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// A failing pass (the emulator refuses the create) sends exactly one pass-failed alert to the
// webhook reconciler.yaml names, signed with the key from the environment; the same failure at
// the next pass is rate-limited, and a tick that succeeds sends nothing.
func TestFailingPassNotifiesOnce(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	var sigs []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies, sigs = append(bodies, b), append(sigs, r.Header.Get(notify.SignatureHeader))
		mu.Unlock()
	}))
	defer rcv.Close()
	t.Setenv("RUNNER_TEST_ALERT_KEY", "runner-test-signing-key")

	e := newEnv(t, "revert")
	e.user.Write(t, map[string]string{"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nnotify:\n  sinks:\n" +
		"    - {name: ops, type: webhook, url: \"" + rcv.URL + "/hook\", secretFrom: {env: RUNNER_TEST_ALERT_KEY}}\n"})
	e.user.CommitAndPush(t, "alerts", 3)
	// No dispatcher is given: the loop creates one from reconciler.yaml, on its own clock.
	defer func() {
		if e.runner.Alerts != nil {
			e.runner.Alerts.Close()
		}
	}()
	if err := e.emu.FailNext(emulator.FailNext{Method: "POST", Pattern: "/k8s/v1/regions/{region}/clusters", Count: 2, Status: 403}); err != nil {
		t.Fatal(err)
	}
	flush := func() {
		t.Helper()
		if e.runner.Alerts == nil {
			t.Fatal("the loop created no dispatcher for reconciler.yaml's notify:")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.runner.Alerts.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if res := e.tick("start"); len(res.Failed) == 0 {
		t.Fatalf("first tick = %+v, want the create refused", res)
	}
	flush()
	e.clock.Step(11 * time.Minute) // the drift interval: the create is tried again and refused again
	if res := e.tick("interval"); len(res.Failed) == 0 {
		t.Fatalf("second tick = %+v, want the create refused again", res)
	}
	flush()
	e.clock.Step(11 * time.Minute)
	if res := e.tick("interval"); len(res.Failed) != 0 || res.Applied == 0 {
		t.Fatalf("third tick = %+v, want the create done", res)
	}
	flush()
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 {
		t.Fatalf("got %d notifications, want exactly 1: %q", len(bodies), bodies)
	}
	var p notify.Payload
	if err := json.Unmarshal(bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Kind != notify.PassFailed || p.Cluster != "prod-par" || p.Key != "pass-failed/prod-par" || !strings.Contains(p.Detail, "quota exceeded") || p.Revision == "" || p.Source == "" {
		t.Errorf("payload = %+v", p)
	}
	if !notify.Verify([]byte("runner-test-signing-key"), bodies[0], sigs[0]) || strings.Contains(string(bodies[0]), "runner-test-signing-key") {
		t.Errorf("signature %q does not verify, or the key is in the payload", sigs[0])
	}
}

// alertEvents: failures only from the threshold on, deletions done, forced upgrades, and work
// deferred past a deadline.
func TestAlertEvents(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	due := now.Add(-time.Hour)
	res := &TickResult{Revision: "r1", PassErr: errors.New("observe fr-par: 503"),
		applied: &apply.Result{Clusters: []apply.ClusterResult{{Name: "old", Actions: []apply.ActionResult{
			{ID: "old/delete-cluster", Type: plan.DeleteCluster, Outcome: apply.Done},
			{ID: "old/delete-pool/gpu", Type: plan.DeletePool, Target: "pool/old/gpu", Outcome: apply.Failed}}}}},
		statuses: []*status.ClusterStatus{{Cluster: "payments", Version: "1.36.5",
			Rollout:    &status.RolloutStatus{Halted: "staging-par failed upgrade-cluster/1.37.1 (wave 0)"},
			Warnings:   []status.Message{{Code: "spec-behind", Message: "the live version 1.36.5 is ahead of the spec's 1.35"}},
			Conditions: []status.Condition{{Type: status.VersionEndOfLife, Status: "True", Message: "1.35 reached end of life on 2027-03-19"}},
			Deferred: []status.Pending{
				{ID: "payments/upgrade-cluster/1.37.1", Type: "upgrade-cluster", Why: "outside-window", Message: "next window opens …"},
				{ID: "payments/rotate-node/web/n1", Type: "rotate-node", Why: "budget-exhausted"},
				{ID: "payments/rotate-node/web/n2", Type: "rotate-node", Why: "outside-window"}},
			Pools: []status.PoolStatus{{Name: "web", Nodes: []status.NodeStatus{{Name: "n1", RotationDue: &due}, {Name: "n2"}}}}}}}
	h := Assess(res, nil)
	if got := alertEvents(res, nil, h, 1, 3, now); slices.ContainsFunc(got, func(e notify.Event) bool { return e.Kind == notify.PassFailed }) {
		t.Errorf("a failure below the threshold alerted: %+v", got)
	}
	var keys []string
	for _, e := range alertEvents(res, nil, h, 3, 3, now) {
		keys = append(keys, string(e.Kind)+" "+e.Key)
	}
	want := []string{"pass-failed pass-failed", "deletion deletion/old/delete-cluster",
		"forced-upgrade forced-upgrade/payments/1.36.5",
		"wave-halted wave-halted/payments/staging-par failed upgrade-cluster/1.37.1 (wave 0)",
		"deferred-past-deadline deferred-past-deadline/payments/upgrade-cluster/1.37.1",
		"deferred-past-deadline deferred-past-deadline/payments/rotate-node/web/n1"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

// A cluster Scaleway keeps locked while its spec asks for a change: once the work has waited
// stuckAfter without a break, one stuck alert names the cluster and the deferred action; a cluster
// that becomes ready again starts a new episode.
func TestStuckClusterAlerts(t *testing.T) {
	var mu sync.Mutex
	var got []notify.Payload
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p notify.Payload
		if err := json.NewDecoder(r.Body).Decode(&p); err == nil {
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
		}
	}))
	defer rcv.Close()
	e := newEnv(t, "revert")
	e.tick("start") // creates prod-par
	id := e.live().ID
	e.pull()
	e.user.Write(t, map[string]string{"reconciler.yaml": "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nnotify:\n  stuckAfter: 30m\n  sinks:\n" +
		"    - {name: ops, type: webhook, url: \"" + rcv.URL + "/hook\", events: [stuck]}\n",
		"clusters/prod-par.yaml": strings.Replace(strings.Replace(clusterYAML, "DRIFT", "revert", 1), "tags: [team-a]", "tags: [team-a, team-b]", 1)})
	e.user.CommitAndPush(t, "alerts, and a tag to add", 3)
	defer func() {
		if e.runner.Alerts != nil {
			e.runner.Alerts.Close()
		}
	}()
	if err := e.emu.PatchCluster(id, map[string]any{"status": "locked"}); err != nil {
		t.Fatal(err)
	}
	flush := func() []notify.Payload {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if e.runner.Alerts != nil {
			if err := e.runner.Alerts.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
	e.tick("webhook")
	for i := 0; i < 2; i++ { // 22 minutes locked: not yet
		e.clock.Step(11 * time.Minute)
		e.tick("interval")
	}
	if n := len(flush()); n != 0 {
		t.Fatalf("%d alerts before stuckAfter", n)
	}
	for i := 0; i < 3; i++ { // 55 minutes: one alert, not one per pass
		e.clock.Step(11 * time.Minute)
		e.tick("interval")
	}
	ps := flush()
	if len(ps) != 1 || ps[0].Kind != notify.Stuck || ps[0].Cluster != "prod-par" || !strings.Contains(ps[0].Summary, "(locked)") ||
		!strings.Contains(ps[0].Detail, "prod-par/update-cluster") {
		t.Fatalf("alerts = %+v, want one stuck alert naming prod-par's deferred update", ps)
	}
	// Ready again: the update goes through and nothing more is sent.
	if err := e.emu.PatchCluster(id, map[string]any{"status": "ready"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Step(11 * time.Minute)
	if res := e.tick("interval"); res.Applied == 0 {
		t.Errorf("tick after unlock = %+v, want the update applied", res)
	}
	if n := len(flush()); n != 1 {
		t.Errorf("%d alerts after the unlock, want still 1", n)
	}
	if len(e.runner.state.stuckSince) != 0 {
		t.Errorf("stuck episodes left: %v", e.runner.state.stuckSince)
	}
}
