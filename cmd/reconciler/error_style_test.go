package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Every command says its error the same way: one "Error: <err>" line on stderr (cobra's usage
// errors add a "Run '… --help'" line after it), nothing on stdout. validate's per-issue
// file:line lines come first, its count is the Error line.
func TestEveryCommandSaysErrorTheSameWay(t *testing.T) {
	// well-formed credentials, no API: every case fails before any network I/O
	t.Setenv("SCW_CONFIG_PATH", filepath.Join(t.TempDir(), "none.yaml"))
	t.Setenv("SCW_API_URL", "http://127.0.0.1:1")
	t.Setenv("SCW_ACCESS_KEY", "SCWXXXXXXXXXXXXXXXXX")
	t.Setenv("SCW_SECRET_KEY", "11111111-1111-4111-8111-111111111111")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", "11111111-1111-4111-8111-111111111111")
	for _, tc := range []struct {
		args []string
		want string // the error line, from "Error: "
	}{
		{[]string{"run", "--repo", "https://git.invalid/fleet.git", "--log-format", "xml"}, "Error: --log-format"},
		{[]string{"validate", "--repo", "/nonexistent/dir"}, "Error: --repo /nonexistent/dir is not a directory"},
		{[]string{"validate", "--repo", ".", "-o", "yaml"}, "Error: -o: "},
		{[]string{"validate", "--repo", ".", "--show-defaults", "-o", "json"}, "Error: --show-defaults prints YAML"},
		{[]string{"validate", "--repo", "../../testdata/spec/invalid/min-greater-than-size"}, "Error: 1 error in ../../testdata/spec/invalid/min-greater-than-size"},
		{[]string{"plan", "--repo", ".", "-o", "yaml"}, "Error: -o: "},
		{[]string{"apply", "--repo", ".", "-o", "yaml"}, "Error: -o: "},
		{[]string{"rotate", "--repo", ".", "-o", "yaml"}, "Error: -o: "},
		{[]string{"preview", "--repo", "."}, "Error: --head is required"},
		{[]string{"emulator", "--dwell", "slow"}, `Error: unknown --dwell "slow"`},
		{[]string{"plan", "--bogus"}, "Error: unknown flag: --bogus"},
	} {
		code, stdout, stderr := runCmd(t, tc.args...)
		var errLine string // the first Error line: the per-issue lines of validate come before it
		for _, l := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(l, "Error: ") {
				errLine = l
				break
			}
		}
		if code != 1 || stdout != "" || !strings.HasPrefix(errLine, tc.want) || strings.Contains(stderr, "reconciler "+tc.args[0]+":") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want the error line %q…", tc.args, code, stdout, stderr, tc.want)
		}
	}
}
