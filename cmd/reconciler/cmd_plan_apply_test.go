package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

const fixedNow = "2026-11-26T10:00:00Z"

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestPlanExitCodes(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.36.5", "web")
	invalid := writeRepo(t, map[string]string{"clusters/bad.yaml": header + "metadata: {name: bad}\nspec: {version: \"1.35\", colour: blue}\n"})
	cases := []struct {
		name string
		repo map[string]string
		args []string
		want int
	}{
		{"no changes", prodSpec("1.36", "web"), []string{"--detailed-exitcode"}, 0},
		{"changes, detailed", prodSpec("1.36", "web", "extra"), []string{"--detailed-exitcode"}, 2},
		{"changes, not detailed", prodSpec("1.36", "web", "extra"), nil, 0},
		{"invalid spec", nil, []string{"--detailed-exitcode"}, 1},
		{"plan error (downgrade, 1.35 still supported)", prodSpec("1.35", "web"), []string{"--detailed-exitcode", "--now", "2026-11-26T10:00:00Z"}, 1},
		{"spec behind (1.34 past its end of life)", prodSpec("1.34", "web"), []string{"--detailed-exitcode", "--now", "2026-12-01T10:00:00Z"}, 0},
		{"bad output format", prodSpec("1.36", "web"), []string{"-o", "yaml"}, 1},
		{"bad --now", prodSpec("1.36", "web"), []string{"--now", "tomorrow"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo := invalid
			if tc.repo != nil {
				repo = writeRepo(t, tc.repo)
			}
			code, out, errOut := cli(t, "", append(args("plan", "--repo", repo), tc.args...)...)
			if code != tc.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errOut)
			}
			if code == 1 && !strings.HasPrefix(errOut, "Error: ") {
				t.Errorf("an error exit must say why on stderr; got %q", errOut)
			}
		})
	}
	log, err := srv.Requests()
	if err != nil || log.Total == 0 {
		t.Fatalf("request log: %v (%d requests)", err, log.Total)
	}
	if countMutations(log) != 0 {
		t.Errorf("plan mutated the cloud: %d mutations", countMutations(log))
	}
}

func countMutations(l emulator.RequestLog) int {
	n := 0
	for _, r := range l.Requests {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

func TestPlanGoldenOutputs(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	repo := writeRepo(t, prodSpec("1.37", "web", "extra"))
	for _, format := range []string{"text", "json", "markdown"} {
		code, out, errOut := cli(t, "", args("plan", "--repo", repo, "--now", fixedNow, "-o", format)...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", format, code, errOut)
		}
		golden(t, "plan-upgrade."+format+".golden", scrubIDs(t, out))
	}
}

// scrubIDs replaces the emulator's random cluster and pool IDs with stable placeholders.
func scrubIDs(t *testing.T, s string) string {
	t.Helper()
	snap := live(t)
	for _, c := range snap.Clusters {
		s = strings.ReplaceAll(s, c.ID, "<cluster:"+c.Name+">")
		for _, p := range c.Pools {
			s = strings.ReplaceAll(s, p.ID, "<pool:"+p.Name+">")
		}
	}
	return s
}

func TestApplyAsksForApproval(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	repo := writeRepo(t, prodSpec("1.35", "web", "extra"))

	for _, answer := range []string{"", "no\n", "YES\n", "y\n"} {
		code, out, errOut := cli(t, answer, args("apply", "--repo", repo)...)
		if code != 1 || !strings.Contains(out, "Do you want to perform these actions? Only 'yes' will be accepted") || !strings.Contains(out, "Apply cancelled.") {
			t.Errorf("answer %q: exit %d, want 1 and a cancelled apply\n%s", answer, code, out)
		}
		// exit 1 has its Error line on stderr, with the flag a script needs (there was none)
		if !strings.Contains(errOut, "Error: apply cancelled: the plan was not approved") || !strings.Contains(errOut, "--auto-approve") {
			t.Errorf("answer %q: stderr %q, want the Error line naming --auto-approve", answer, errOut)
		}
	}
	if n := len(live(t).Clusters[0].Pools); n != 1 {
		t.Fatalf("a refused apply created pools: %d", n)
	}

	code, out, errOut := cli(t, "yes\n", args("apply", "--repo", repo, "--now", fixedNow)...)
	if code != 0 {
		t.Fatalf("approved apply: exit %d\n%s\n%s", code, out, errOut)
	}
	golden(t, "apply-create-pool.txt.golden", regexp.MustCompile(`\(\d+(\.\d+)?m?s\)`).ReplaceAllString(scrubIDs(t, out), "(<duration>)"))
	if !strings.Contains(errOut, "prod-par/create-pool/extra: done") {
		t.Errorf("progress on stderr misses the action:\n%s", errOut)
	}
	// nothing left: apply prints the empty plan and exits 0 without asking
	code, out, _ = cli(t, "", args("apply", "--repo", repo)...)
	if code != 0 || strings.Contains(out, "Do you want") {
		t.Errorf("apply with nothing to do: exit %d\n%s", code, out)
	}
}

// A bad -o is refused before any I/O: no request reaches the API, for every command that plans.
func TestBadOutputFormatMakesNoRequest(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	repo := writeRepo(t, prodSpec("1.35", "web", "extra"))
	for _, cmd := range []string{"plan", "apply", "rotate"} {
		if err := srv.ResetRequests(); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := cli(t, "", args(cmd, "--repo", repo, "-o", "yaml", "--auto-approve")...)
		if cmd != "apply" {
			code, _, errOut = cli(t, "", args(cmd, "--repo", repo, "-o", "yaml")...)
		}
		log, err := srv.Requests()
		if err != nil {
			t.Fatal(err)
		}
		if code != 1 || !strings.Contains(errOut, `format "yaml"`) || log.Total != 0 {
			t.Errorf("%s -o yaml: exit %d, %d API request(s), stderr %q; want 1, none, the format named", cmd, code, log.Total, errOut)
		}
	}
}
