package scaleway

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// isolateEnv clears every SCW_* variable for the test and points the config at dir.
func isolateEnv(t *testing.T, configPath string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SCW_") || strings.HasPrefix(k, "SCALEWAY_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("SCW_CONFIG_PATH", configPath)
}

func TestNewFromEnvWithoutConfigFile(t *testing.T) {
	s := newCannedServer(t, map[string]reply{
		"GET /k8s/v1/regions/nl-ams/clusters": {body: listClusters()},
		"GET /k8s/v1/regions/nl-ams/versions": {body: `{"versions":[]}`},
	})
	isolateEnv(t, filepath.Join(t.TempDir(), "missing.yaml"))
	t.Setenv("SCW_API_URL", s.URL)
	t.Setenv("SCW_ACCESS_KEY", testAccessKey)
	t.Setenv("SCW_SECRET_KEY", testSecretKey)
	t.Setenv("SCW_DEFAULT_PROJECT_ID", testProject)
	t.Setenv("SCW_DEFAULT_REGION", "nl-ams")
	p, err := New(WithVersion("1.2.3"))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if p.DefaultProjectID() != testProject || p.DefaultRegion() != "nl-ams" {
		t.Errorf("defaults = %q %q", p.DefaultProjectID(), p.DefaultRegion())
	}
	if _, err := p.Observe(t.Context(), cloud.Ref{Region: p.DefaultRegion(), ProjectID: p.DefaultProjectID()}); err != nil {
		t.Fatalf("Observe: %v", err)
	}
	reqs := s.requests(false)
	if len(reqs) != 2 {
		t.Fatalf("requests = %v", reqs)
	}
	h := reqs[0].Header
	if h.Get("X-Auth-Token") != testSecretKey || !strings.Contains(h.Get("User-Agent"), "reconciler/1.2.3") {
		t.Errorf("headers: token set %v, user agent %q", h.Get("X-Auth-Token") == testSecretKey, h.Get("User-Agent"))
	}
}

func TestNewActiveProfileUnderEnv(t *testing.T) {
	s := newCannedServer(t, map[string]reply{"GET " + base + "/clusters/" + clusterID: {body: clusterJSON}})
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg := "access_key: " + testAccessKey + "\nsecret_key: " + testSecretKey + "\ndefault_region: pl-waw\n" +
		"default_project_id: 00000000-0000-4000-8000-00000000000a\n" +
		"profiles:\n  emu:\n    api_url: " + s.URL + "\n    default_region: fr-par\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	isolateEnv(t, path)
	t.Setenv("SCW_PROFILE", "emu")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", testProject) // env wins over the file
	p, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if p.DefaultProjectID() != testProject || p.DefaultRegion() != "fr-par" {
		t.Errorf("defaults = %q %q, want the env project and the emu profile's region", p.DefaultProjectID(), p.DefaultRegion())
	}
	if _, err := p.api.GetCluster(&k8s.GetClusterRequest{Region: "fr-par", ClusterID: clusterID}); err != nil {
		t.Fatalf("GetCluster through the emu profile's api_url: %v", err)
	}
	if r := s.requests(false); len(r) != 1 || r[0].Header.Get("X-Auth-Token") != testSecretKey {
		t.Errorf("requests = %v, want one with the file's secret", r)
	}
}

// errorTexts returns the texts of err and of every error it wraps.
func errorTexts(err error) []string {
	var out []string
	for _, e := range []error{err} {
		stack := []error{e}
		for len(stack) > 0 {
			cur := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if cur == nil {
				continue
			}
			out = append(out, cur.Error())
			switch u := cur.(type) {
			case interface{ Unwrap() error }:
				stack = append(stack, u.Unwrap())
			case interface{ Unwrap() []error }:
				stack = append(stack, u.Unwrap()...)
			}
		}
	}
	return out
}

func assertNoSecret(t *testing.T, what string, err error, secret string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, text := range errorTexts(err) {
		if strings.Contains(text, secret) {
			t.Errorf("%s: error text leaks the secret key: %q", what, text)
		}
	}
}

func TestSecretKeyNeverInErrors(t *testing.T) {
	t.Run("malformed secret in env", func(t *testing.T) {
		isolateEnv(t, filepath.Join(t.TempDir(), "missing.yaml"))
		const secret = "my-very-secret-token-42"
		t.Setenv("SCW_ACCESS_KEY", testAccessKey)
		t.Setenv("SCW_SECRET_KEY", secret)
		_, err := New()
		assertNoSecret(t, "New", err, secret) // the SDK's own message quotes the key
	})
	t.Run("config file that does not parse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte("secret_key: ["+testSecretKey+"\n  : bad"), 0o600); err != nil {
			t.Fatal(err)
		}
		isolateEnv(t, path)
		_, err := New()
		assertNoSecret(t, "New with a broken config", err, testSecretKey)
	})
	t.Run("API error echoing the token", func(t *testing.T) {
		s := newCannedServer(t, map[string]reply{
			"POST " + base + "/clusters/" + clusterID + "/upgrade": {400, `{"details":[{"argument_name":"token","help_message":"token ` + testSecretKey + ` is odd","reason":"constraint"}],"message":"invalid argument(s)","type":"invalid_arguments"}`},
			"GET " + base + "/clusters/" + clusterID:               {401, `{"message":"denied ` + testSecretKey + `","type":"unknown_type"}`},
		})
		p := s.provider(t)
		err := p.UpgradeCluster(t.Context(), "fr-par", clusterID, "1.35.3", false)
		assertNoSecret(t, "UpgradeCluster", err, testSecretKey)
		if !cloud.IsTerminal(err) || !strings.Contains(err.Error(), "[REDACTED]") {
			t.Errorf("redacted error %v: want terminal with the secret replaced", err)
		}
		_, err = p.GetCluster(t.Context(), "fr-par", clusterID)
		assertNoSecret(t, "GetCluster", err, testSecretKey)
	})
	t.Run("redact keeps other errors intact", func(t *testing.T) {
		base := errors.New("plain")
		if got := redact(base, testSecretKey); got != base {
			t.Errorf("redact changed an error without the secret")
		}
	})
}
