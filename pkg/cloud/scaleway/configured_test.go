package scaleway

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCheckConfigured(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.yaml")
	keysOnly := filepath.Join(dir, "keys.yaml")
	keys := "access_key: " + testAccessKey + "\nsecret_key: " + testSecretKey + "\n"
	for p, c := range map[string]string{full: keys + "default_project_id: " + testProject + "\n", keysOnly: keys} {
		if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, config string
		env          map[string]string
		creds        *Credentials
		missing      []string
	}{
		{"nothing", filepath.Join(dir, "missing.yaml"), nil, nil, []string{"SCW_ACCESS_KEY", "SCW_SECRET_KEY", "SCW_DEFAULT_PROJECT_ID"}},
		{"profile file", full, nil, nil, nil},
		{"profile without project", keysOnly, nil, nil, []string{"SCW_DEFAULT_PROJECT_ID"}},
		{"project from env", keysOnly, map[string]string{"SCW_DEFAULT_PROJECT_ID": testProject}, nil, nil},
		{"env only", filepath.Join(dir, "missing.yaml"), map[string]string{"SCW_ACCESS_KEY": testAccessKey,
			"SCW_SECRET_KEY": testSecretKey, "SCW_DEFAULT_PROJECT_ID": testProject}, nil, nil},
		{"explicit credentials", filepath.Join(dir, "missing.yaml"), nil,
			&Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey, ProjectID: testProject}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolateEnv(t, tc.config)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			err := CheckConfigured(tc.creds)
			var nc *NotConfiguredError
			switch {
			case tc.missing == nil && err != nil:
				t.Errorf("err = %v, want none", err)
			case tc.missing != nil && !errors.As(err, &nc):
				t.Errorf("err = %v, want a *NotConfiguredError", err)
			case tc.missing != nil && (!slices.Equal(nc.Missing, tc.missing) || nc.ConfigPath != tc.config):
				t.Errorf("missing %v in %s, want %v in %s", nc.Missing, nc.ConfigPath, tc.missing, tc.config)
			}
		})
	}
}
