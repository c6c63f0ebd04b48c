package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

// reconciler.yaml is written by whoever can commit. Naming the reconciler's own credentials as
// the forge token (sent verbatim in the forge's Authorization header) or as a notification
// secret is refused, naming the file, line and field; a variable of their own is accepted.
func TestSettingsNeverNameTheReconcilersOwnCredentials(t *testing.T) {
	load := func(body string) error {
		_, err := Load(fstest.MapFS{"reconciler.yaml": {Data: []byte("apiVersion: reconciler.scaleway.dev/v1alpha1\nkind: Settings\n" + body)}})
		return err
	}
	for body, want := range map[string]string{
		"lifecycle:\n  pullRequests:\n    forge: github\n    tokenEnv: SCW_SECRET_KEY\n":                              "reconciler.yaml:6:5: lifecycle.pullRequests.tokenEnv: SCW_SECRET_KEY holds a credential",
		"lifecycle:\n  pullRequests:\n    forge: github\n    tokenEnv: scw_access_key\n":                              "lifecycle.pullRequests.tokenEnv: scw_access_key holds a credential",
		"lifecycle:\n  pullRequests:\n    forge: github\n    tokenEnv: RECONCILER_SIGN_KEY_PASSPHRASE\n":              "lifecycle.pullRequests.tokenEnv: RECONCILER_SIGN_KEY_PASSPHRASE holds",
		"notify:\n  sinks:\n    - {type: webhook, url: \"https://a.example/h\", secretFrom: {env: SCW_SECRET_KEY}}\n": "notify.sinks[0].secretFrom.env: SCW_SECRET_KEY holds a credential",
	} {
		err := load(body)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", body, err, want)
		}
	}
	for _, body := range []string{
		"lifecycle:\n  pullRequests:\n    forge: github\n    tokenEnv: GITEA_TOKEN\n",
		"notify:\n  sinks:\n    - {type: webhook, url: \"https://a.example/h\", secretFrom: {env: ALERTS_KEY}}\n",
	} {
		if err := load(body); err != nil {
			t.Errorf("%q refused: %v", body, err)
		}
	}
}
