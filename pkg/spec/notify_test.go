package spec

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const notifyCluster = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: web}
spec: {region: fr-par, projectID: 9c6a0a4c-6f0e-4e0a-9a57-0d7b1f1f2e3a, privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b, version: "1.36", pools: [{name: a, nodeType: PRO2-S, size: 1}]}
`

func TestNotifySettingsLoadAndValidate(t *testing.T) {
	good := `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Settings
notify:
  failureThreshold: 2
  rateLimit: 30m
  sinks:
    - {name: ops, type: webhook, url: "https://alerts.example.com/hook", secretFrom: {env: ALERT_KEY}, events: [pass-failed, deletion]}
    - {type: slack, urlFrom: {file: /var/run/secrets/slack/url}}
`
	repo, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte(good)}, "clusters/web.yaml": {Data: []byte(notifyCluster)}})
	if err != nil {
		t.Fatalf("valid notify refused: %v", err)
	}
	n := repo.Settings.Notify
	if n == nil || len(n.Sinks) != 2 || n.Sinks[0].SecretFrom.Env != "ALERT_KEY" || n.RateLimit.Duration.Minutes() != 30 || n.FailureThreshold != 2 {
		t.Fatalf("notify = %+v", n)
	}
	bad := `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Settings
notify:
  sinks:
    - {type: slack, url: "https://hooks.slack.com/services/T0/B0/XXXX"}
    - {type: webhook, url: "ftp://x"}
    - {type: webhook, url: "https://x.example", secretFrom: {env: A, file: /b}}
    - {type: pager}
    - {type: webhook, url: "https://x.example", events: [everything]}
`
	_, err = Load(fstest.MapFS{"reconciler.yaml": {Data: []byte(bad)}, "clusters/web.yaml": {Data: []byte(notifyCluster)}})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err = %v, want an ErrorList", err)
	}
	text := err.Error()
	for _, want := range []string{
		"reconciler.yaml:5:", "notify.sinks[0].url", "a Slack incoming-webhook URL is a credential",
		"reconciler.yaml:6:", "notify.sinks[1].url", "scheme must be https or http",
		"notify.sinks[2].secretFrom", "exactly one of env and file",
		"notify.sinks[3].type", `unknown sink type "pager"`,
		"notify.sinks[4].events[0]", `unknown event "everything"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("errors lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "XXXX") {
		t.Errorf("the committed Slack URL is echoed in the errors:\n%s", text)
	}
}
