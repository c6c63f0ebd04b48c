package spec

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestRolloutFieldsLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"reconciler.yaml": {Data: []byte("rollout:\n  soak: 24h\n  haltOn: [pool-error]\npreflight: {enabled: true, timeout: 20s}\n")},
		"clusters/a.yaml": {Data: []byte(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: a}
spec:
  region: fr-par
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  rollout: {wave: 2}
  upgrade: {ignoreRemovedAPIs: true}
`)},
	}
	repo, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c := repo.Clusters[0]
	if WaveOf(c) != 2 || !c.Spec.Upgrade.IgnoreRemovedAPIs {
		t.Errorf("wave %d, ignoreRemovedAPIs %v", WaveOf(c), c.Spec.Upgrade.IgnoreRemovedAPIs)
	}
	if got := repo.Settings.Rollout.SoakTime(); got != 24*time.Hour {
		t.Errorf("soak = %s", got)
	}
	if got := repo.Settings.Rollout.HaltSet(); len(got) != 1 || got[0] != HaltPoolError {
		t.Errorf("haltOn = %v", got)
	}
	if p := repo.Settings.Preflight; p == nil || !p.Enabled || p.Timeout.Duration != 20*time.Second {
		t.Errorf("preflight = %+v", p)
	}
	if got := (*RolloutSettings)(nil).HaltSet(); len(got) != len(HaltConditions) {
		t.Errorf("default haltOn = %v", got)
	}
}

func TestRolloutFieldsInvalid(t *testing.T) {
	fsys := fstest.MapFS{
		"reconciler.yaml": {Data: []byte("rollout:\n  soak: -1h\n  haltOn: [pool-eror]\npreflight: {timeout: 1h}\n")},
		"clusters/a.yaml": {Data: []byte(`apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: a}
spec:
  region: fr-par
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  rollout:
    wave: -1
`)},
	}
	var text string
	for _, drop := range []string{"clusters/a.yaml", "reconciler.yaml"} {
		only := fstest.MapFS{}
		for k, v := range fsys {
			if k != drop {
				only[k] = v
			}
		}
		_, err := Load(only)
		var list ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("without %s: err = %v, want an ErrorList", drop, err)
		}
		text += err.Error() + "\n"
	}
	for _, want := range []string{
		"clusters/a.yaml:9:", "spec.rollout.wave", "must be between 0 and 1000, not -1",
		"reconciler.yaml:2:", "rollout.soak", "reconciler.yaml:3:", "rollout.haltOn[0]", `unknown halt condition "pool-eror"`,
		"reconciler.yaml:4:", "preflight.timeout: must be between 1s and 5m0s, not 1h",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("errors lack %q:\n%s", want, text)
		}
	}
}
