package scaleway

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A scw config file readable by others (0644, common after a copy) made scaleway-sdk-go print its
// permission warning on stdout, so `plan -o json` no longer printed one JSON document. The
// profile still loads, nothing goes to stdout, and the warning goes to stderr.
func TestPermissiveConfigFileWarnsOnStderrNotStdout(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("access_key: SCWXXXXXXXXXXXXXXXXX\nsecret_key: 11111111-1111-4111-8111-111111111111\ndefault_project_id: 11111111-1111-4111-8111-111111111111\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	t.Setenv("SCW_CONFIG_PATH", path)
	for _, k := range []string{"SCW_ACCESS_KEY", "SCW_SECRET_KEY", "SCW_DEFAULT_PROJECT_ID", "SCW_PROFILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	var warn bytes.Buffer
	old := warnOut
	warnOut = &warn
	defer func() { warnOut = old }()

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	p, lerr := loadProfile()
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)

	if lerr != nil || p == nil || p.AccessKey == nil || *p.AccessKey != "SCWXXXXXXXXXXXXXXXXX" {
		t.Fatalf("loadProfile = %+v, %v", p, lerr)
	}
	if len(out) != 0 {
		t.Errorf("stdout got %q", out)
	}
	if !strings.Contains(warn.String(), "chmod 0600 "+path) {
		t.Errorf("warning = %q, want the chmod hint on stderr", warn.String())
	}
}
