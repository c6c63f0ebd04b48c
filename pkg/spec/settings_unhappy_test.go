package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

// A relative lifecycle.pullRequests.tokenFile would be read relative to wherever the reconciler
// happens to run (/ in the image): refused like notify's secret files, with where and what to do.
func TestLifecycleTokenFileMustBeAbsolute(t *testing.T) {
	load := func(body string) error {
		_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nlifecycle:\n  pullRequests:\n" + body)}})
		return err
	}
	err := load("    forge: github\n    tokenFile: secrets/forge-token\n")
	if err == nil || !strings.Contains(err.Error(), "reconciler.yaml:6:5: lifecycle.pullRequests.tokenFile:") || !strings.Contains(err.Error(), "absolute") {
		t.Fatalf("relative tokenFile: err = %v, want reconciler.yaml:6:5: lifecycle.pullRequests.tokenFile: ... absolute", err)
	}
	if err := load("    forge: github\n    tokenFile: /var/run/secrets/forge-token\n"); err != nil {
		t.Fatalf("absolute tokenFile refused: %v", err)
	}
}

// A sink named like another sink's default name (webhook-0) would share its log lines, metrics
// and rate limits: a duplicate, as two equal explicit names are.
func TestNotifySinkNameClashesWithDefaultName(t *testing.T) {
	settings := `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Settings
notify:
  sinks:
    - {type: webhook, url: "https://a.example/hook"}
    - {name: webhook-0, type: webhook, url: "https://b.example/hook"}
`
	_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte(settings)}, "clusters/web.yaml": {Data: []byte(notifyCluster)}})
	if err == nil || !strings.Contains(err.Error(), "notify.sinks[1].name") || !strings.Contains(err.Error(), `"webhook-0"`) {
		t.Fatalf("err = %v, want a duplicate sink name at notify.sinks[1].name", err)
	}
}

// A sink without type: said as a missing field, not as an unknown type "".
func TestNotifySinkWithoutTypeSaysTypeIsMissing(t *testing.T) {
	settings := "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nnotify:\n  sinks:\n    - url: https://a.example/hook\n"
	_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte(settings)}, "clusters/web.yaml": {Data: []byte(notifyCluster)}})
	if err == nil || !strings.Contains(err.Error(), "notify.sinks[0].type: required") || strings.Contains(err.Error(), `unknown sink type ""`) {
		t.Fatalf("err = %v, want notify.sinks[0].type: required", err)
	}
}

// status.branch in reconciler.yaml was accepted and silently ignored (run takes --status-branch):
// refused with where it is and what to do instead.
func TestStatusBranchSettingIsRefused(t *testing.T) {
	settings := "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\nstatus:\n  branch: reconciler-status\n"
	_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte(settings)}, "clusters/web.yaml": {Data: []byte(notifyCluster)}})
	if err == nil || !strings.Contains(err.Error(), "reconciler.yaml:4:") || !strings.Contains(err.Error(), "status.branch") ||
		!strings.Contains(err.Error(), "--status-branch reconciler-status") {
		t.Fatalf("err = %v, want reconciler.yaml:4: status.branch ... --status-branch reconciler-status", err)
	}
}

// preflight.timeout: 1ms made every check time out and report the cluster unreachable: below 1s
// is refused with where and what to write; 1s and an omitted timeout (the 10s default) load.
func TestPreflightTimeoutAtLeastOneSecond(t *testing.T) {
	load := func(timeout string) error {
		settings := "apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\npreflight:\n  enabled: true\n" + timeout
		_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte(settings)}, "clusters/web.yaml": {Data: []byte(notifyCluster)}})
		return err
	}
	for _, short := range []string{"1ms", "999ms", "0.5s"} {
		err := load("  timeout: " + short + "\n")
		if err == nil || !strings.Contains(err.Error(), "reconciler.yaml:5:") || !strings.Contains(err.Error(), "preflight.timeout: must be between 1s and 5m0s") ||
			!strings.Contains(err.Error(), `"10s"`) {
			t.Errorf("timeout %s: err = %v, want reconciler.yaml:5: preflight.timeout: must be between 1s and 5m0s ... \"10s\"", short, err)
		}
	}
	for _, ok := range []string{"", "  timeout: 1s\n", "  timeout: 5m\n"} {
		if err := load(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}
