package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// healthServer serves the runner's Handler over HTTP, as run does.
type healthServer struct {
	t   *testing.T
	url string
}

func (h *healthServer) get(path string) (int, string) {
	h.t.Helper()
	resp, err := http.Get(h.url + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// metrics reads /metrics into series (name{labels}) → value.
func (h *healthServer) metrics() map[string]float64 {
	h.t.Helper()
	_, body := h.get("/metrics")
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// expect checks series against want, naming the step.
func expect(t *testing.T, step string, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: %s = %v (present %v), want %v", step, k, g, ok, v)
		}
	}
}

// A loop whose passes fail is not ready after ReadyFailures of them and ready again after a
// success; /metrics counts the failures, freezes the last success, and shows the per-cluster
// gauges of a drifted cluster; the failures are logged at ERROR with their message.
func TestHealthTellsTheTruth(t *testing.T) {
	e := newEnv(t, "report")
	// slog's handlers write each record under their own lock; ticks are read after they return.
	logs := &bytes.Buffer{}
	e.runner.Log = slog.New(slog.NewJSONHandler(logs, nil))
	reg := prometheus.NewRegistry()
	e.runner.Metrics = NewMetrics(reg)
	hs := httptest.NewServer(Handler(e.runner, reg, nil))
	t.Cleanup(hs.Close)
	h := &healthServer{t: t, url: hs.URL}
	const (
		okPasses  = `reconciler_passes_total{result="ok"}`
		errPasses = `reconciler_passes_total{result="error"}`
		deferred  = `reconciler_passes_total{result="deferred"}`
		lastOK    = "reconciler_last_success_timestamp_seconds"
		failures  = "reconciler_consecutive_failures"
		drift     = `reconciler_cluster_drift{cluster="prod-par"}`
		behind    = `reconciler_cluster_version_behind{cluster="prod-par"}`
		errs      = `reconciler_cluster_errors{cluster="prod-par"}`
	)

	if code, body := h.get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "not synced yet") {
		t.Fatalf("/readyz before any tick = %d %q, want 503 not synced", code, body)
	}
	if code, _ := h.get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d, want 200: liveness only", code)
	}
	e.tick("start")
	t0 := float64(e.clock.Now().Unix())
	if code, _ := h.get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz after the first pass = %d", code)
	}
	m := h.metrics()
	expect(t, "first pass", m, map[string]float64{okPasses: 1, errPasses: 0, lastOK: t0, failures: 0,
		"reconciler_leader": 1, drift: 0, errs: 0})
	if _, ok := m[behind]; !ok {
		t.Errorf("first pass: %s missing", behind)
	}

	// Drift by hand (report-only: it stays), then the observation fails 3 times (403: terminal,
	// each pass waits for the drift interval).
	if err := e.emu.PatchCluster(e.live().ID, map[string]any{"tags": []string{"team-a", "managed-by=reconciler", "hand-edited"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.emu.FailNext(emulator.FailNext{Method: "GET", Pattern: "/k8s/v1/regions/{region}/clusters", Count: 3, Status: 403}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		e.clock.Step(11 * time.Minute)
		if res := e.tick("interval"); res.PassErr == nil {
			t.Fatalf("failing pass %d = %+v, want a pass error", i, res)
		}
		code, body := h.get("/readyz")
		switch {
		case i < 3 && code != http.StatusOK:
			t.Errorf("/readyz after %d failure(s) = %d %q, want 200 below the threshold", i, code, body)
		case i == 3 && (code != http.StatusServiceUnavailable || !strings.Contains(body, "3 consecutive failed passes") || !strings.Contains(body, "quota exceeded")):
			t.Errorf("/readyz after 3 failures = %d %q, want 503 with the count and the error", code, body)
		}
		expect(t, "failure "+strconv.Itoa(i), h.metrics(), map[string]float64{errPasses: float64(i), failures: float64(i),
			lastOK: t0, okPasses: 1})
	}
	if got := e.runner.ConsecutiveFailures(); got != 3 {
		t.Errorf("ConsecutiveFailures = %d", got)
	}

	// The failure is logged at ERROR with its message.
	var logged bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if strings.Contains(rec.Msg, "pass on") && strings.Contains(rec.Msg, "failed") {
			logged = true
			if rec.Level != "ERROR" || !strings.Contains(rec.Msg, "quota exceeded") {
				t.Errorf("failure logged as %s %q, want ERROR with the API's error", rec.Level, rec.Msg)
			}
		}
	}
	if !logged {
		t.Errorf("no failure in the logs:\n%s", logs)
	}

	// The API recovers: ready again, the last success moves, the drift shows.
	e.clock.Step(11 * time.Minute)
	res := e.tick("interval")
	if res.PassErr != nil || len(res.Failed) > 0 {
		t.Fatalf("recovered pass = %+v", res)
	}
	if code, body := h.get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz after a success = %d %q", code, body)
	}
	m = h.metrics()
	expect(t, "recovered", m, map[string]float64{failures: 0, lastOK: float64(e.clock.Now().Unix()), drift: 1, errs: 0,
		errPasses: 3})
	if m[okPasses]+m[deferred] != 2 {
		t.Errorf("recovered: ok %v + deferred %v passes, want 2", m[okPasses], m[deferred])
	}

	// A cluster whose apply fails: a failed pass, and its error gauge.
	e.user.Write(t, map[string]string{"clusters/prod-par.yaml": strings.Replace(clusterYAML, "DRIFT", "report", 1) +
		"    - {name: batch, nodeType: PRO2-S, zone: fr-par-1, size: 1}\n"})
	e.user.CommitAndPush(t, "a batch pool", 3)
	if err := e.emu.FailNext(emulator.FailNext{Method: "POST", Pattern: "/k8s/v1/regions/{region}/clusters/*/pools", Count: 1, Status: 403}); err != nil {
		t.Fatal(err)
	}
	e.clock.Step(time.Minute)
	if res := e.tick("webhook"); len(res.Failed) != 1 {
		t.Fatalf("tick = %+v, want prod-par's apply failed", res)
	}
	expect(t, "apply failed", h.metrics(), map[string]float64{errs: 1, errPasses: 4, failures: 1})
}

// Assess is the one decision of what a failed pass is.
func TestAssess(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  *TickResult
		err  error
		want PassResult
	}{
		{"tick error", nil, io.ErrUnexpectedEOF, PassError},
		{"idle", &TickResult{Why: "idle"}, nil, ""},
		{"pass error", &TickResult{Planned: true, PassErr: io.EOF}, nil, PassError},
		{"apply failed", &TickResult{Planned: true, Failed: []string{"a: failed: x"}}, nil, PassError},
		{"deferred", &TickResult{Planned: true, Deferred: 2}, nil, PassDeferred},
		{"ok", &TickResult{Planned: true}, nil, PassOK},
	} {
		if got := Assess(tc.res, tc.err).Pass; got != tc.want {
			t.Errorf("%s: Assess = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A follower's passes count (they plan), reconciler_leader says 0, and its per-cluster gauges
// come from its plan: the cluster to create is not behind, has no drift and no apply error.
func TestFollowerHealth(t *testing.T) {
	e := newEnv(t, "revert")
	lead := &switchLeader{}
	e.runner.Leader = lead
	reg := prometheus.NewRegistry()
	e.runner.Metrics = NewMetrics(reg)
	hs := httptest.NewServer(Handler(e.runner, reg, nil))
	t.Cleanup(hs.Close)
	h := &healthServer{t: t, url: hs.URL}
	if res := e.tick("start"); !res.Follower || res.Clusters == nil {
		t.Fatalf("follower tick = %+v, want a planned pass with its clusters", res)
	}
	if code, body := h.get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz of a follower that planned = %d %q", code, body)
	}
	expect(t, "follower", h.metrics(), map[string]float64{"reconciler_leader": 0, `reconciler_passes_total{result="ok"}`: 1,
		`reconciler_cluster_drift{cluster="prod-par"}`: 0, `reconciler_cluster_errors{cluster="prod-par"}`: 0})
	lead.on.Store(true)
	e.clock.Step(e.runner.DriftInterval)
	e.tick("drift")
	expect(t, "leader", h.metrics(), map[string]float64{"reconciler_leader": 1})
}
