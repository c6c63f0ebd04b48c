package scaleway

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// WithKubeconfigEndpoint("vpc") asks the API for the private endpoint's kubeconfig; an unknown
// endpoint is refused when the provider is built.
func TestKubeconfigEndpoint(t *testing.T) {
	s := newCannedServer(t, map[string]reply{
		"GET " + base + "/clusters/" + clusterID + "/kubeconfig": {body: mustJSON(map[string]any{"name": "kubeconfig", "content": []byte("apiVersion: v1\nkind: Config\n")})},
	})
	if _, err := s.provider(t, WithKubeconfigEndpoint(KubeconfigVPC)).Kubeconfig(t.Context(), "fr-par", clusterID); err != nil {
		t.Fatal(err)
	}
	if got := s.requests(false); len(got) != 1 || got[0].Query != "endpoint=vpc" {
		t.Errorf("kubeconfig requests = %v, want endpoint=vpc", got)
	}
	if _, err := New(WithKubeconfigEndpoint("private")); err == nil || !strings.Contains(err.Error(), "use public or vpc") {
		t.Errorf("unknown endpoint: err = %v", err)
	}
}

// The emulator (the API's shape over HTTP) serves the vpc endpoint's kubeconfig to the SDK.
func TestKubeconfigVPCOnTheEmulator(t *testing.T) {
	emu := emulator.MustNew(emulator.Options{Dwell: emulator.TestDwell, Logf: t.Logf})
	hs := httptest.NewServer(emu.Handler())
	t.Cleanup(hs.Close)
	t.Setenv("SCW_CONFIG_PATH", filepath.Join(t.TempDir(), "none.yaml"))
	t.Setenv("SCW_ACCESS_KEY", "SCWKUBECONFIGTEST000")
	t.Setenv("SCW_SECRET_KEY", "33333333-0000-4000-8000-000000000000")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", emulator.DefaultProjectID)
	t.Setenv("SCW_DEFAULT_REGION", "fr-par")
	res, err := emu.Seed(emulator.SeedRequest{Clusters: []emulator.SeedCluster{{Name: "locked", Version: "1.35.3"}}})
	if err != nil {
		t.Skipf("seed: %v", err)
	}
	p, err := New(WithAPIURL(hs.URL), WithKubeconfigEndpoint(KubeconfigVPC))
	if err != nil {
		t.Fatal(err)
	}
	kc, err := p.Kubeconfig(t.Context(), "fr-par", res.Clusters[0].ID)
	if err != nil || !strings.Contains(string(kc), "server:") {
		t.Errorf("vpc kubeconfig = %q, %v", kc, err)
	}
}
