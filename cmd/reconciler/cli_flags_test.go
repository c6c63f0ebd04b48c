package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Go's flag package took -repo; pflag reads it as -r -e -p -o: the error says to use two dashes,
// before any I/O.
func TestSingleDashLongFlagIsExplained(t *testing.T) {
	for _, a := range [][]string{{"plan", "-repo", "."}, {"validate", "-repo", "."}, {"run", "-repo", "x"}} {
		code, stdout, stderr := runCmd(t, a...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "two dashes") || !strings.Contains(stderr, "reconciler "+a[0]+" --help") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", a, code, stdout, stderr)
		}
	}
}

// run --branch still works, as a deprecated alias of --ref that says so.
func TestRunBranchIsADeprecatedRef(t *testing.T) {
	var errb strings.Builder
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &errb, stderr: &errb, getenv: func(string) string { return "" }}
	f, _ := parseRunFlags(env, []string{"--repo", "https://git.example.com/fleet.git", "--branch", "prod"})
	if f == nil || f.branch != "prod" || !strings.Contains(errb.String(), "--branch has been deprecated, use --ref") {
		t.Errorf("--branch prod: flags %+v, stderr %q", f, errb.String())
	}
	errb.Reset()
	f, _ = parseRunFlags(env, []string{"--repo", "https://git.example.com/fleet.git", "--ref", "prod"})
	if f == nil || f.branch != "prod" || errb.Len() != 0 {
		t.Errorf("--ref prod: flags %+v, stderr %q", f, errb.String())
	}
	// through the command: the warning is on stderr, stdout stays the command's own
	code, stdout, stderr := runCmd(t, "run", "--branch", "prod", "--repo", "ssh://git@example.com/fleet.git")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "--branch has been deprecated, use --ref") {
		t.Errorf("run --branch: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, out, _ := runCmd(t, "run", "-h"); strings.Contains(out, "--branch") {
		t.Error("run -h lists the deprecated --branch")
	}
}

// The emulator and run listen on different default ports, so both run on one machine.
func TestDefaultPortsDiffer(t *testing.T) {
	port := func(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }
	if port(defaultEmulatorListen) == port(defaultRunListen) {
		t.Errorf("emulator %s and run %s share a port", defaultEmulatorListen, defaultRunListen)
	}
}

// Every reporting command refuses an unknown -o before doing anything.
func TestUnknownOutputFormatRefused(t *testing.T) {
	for _, a := range [][]string{
		{"plan", "--repo", "/nonexistent"}, {"apply", "--repo", "/nonexistent"}, {"rotate", "--repo", "/nonexistent"},
		{"preview", "--repo", "/nonexistent", "--head", "x"}, {"validate", "--repo", "/nonexistent"}, {"version"},
	} {
		code, stdout, stderr := runCmd(t, append(a, "-o", "yaml")...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, `format "yaml"`) || strings.Contains(stderr, "nonexistent") {
			t.Errorf("%v -o yaml: exit %d, stdout %q, stderr %q", a, code, stdout, stderr)
		}
	}
}

// completion: the scripts for bash, zsh and fish, and the formats of -o offered per command.
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{"bash": "bash completion V2 for reconciler", "zsh": "#compdef reconciler", "fish": "complete -c reconciler"} {
		code, out, stderr := runCmd(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, %q missing; stderr %q", shell, code, want, stderr)
		}
	}
	for cmd, want := range map[string]string{"plan": "text\njson\nmarkdown\n", "validate": "text\njson\n", "preview": "markdown\ntext\njson\n"} {
		_, out, _ := runCmd(t, "__complete", cmd, "-o", "")
		if !strings.HasPrefix(out, want) {
			t.Errorf("%s -o <TAB>: %q, want %q first", cmd, out, want)
		}
	}
	_, out, _ := runCmd(t, "__complete", "pl")
	if !strings.HasPrefix(out, "plan\t") {
		t.Errorf("pl<TAB>: %q", out)
	}
}

// A single-dash long flag is named back with two dashes, whatever the flag; -output json is
// not read as -o utput plus a command "json". A one-letter shorthand a command lacks gets
// pflag's message without a hint about another flag.
func TestSingleDashHintNamesTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		want, deny string
	}{
		{[]string{"plan", "-output", "json"}, "-output: long flags take two dashes: --output", "unknown command"},
		{[]string{"apply", "-auto-approve"}, "-auto-approve: long flags take two dashes: --auto-approve", "--repo"},
		{[]string{"validate", "-show-defaults=true"}, "long flags take two dashes: --show-defaults", "--repo"},
		{[]string{"validate", "-xyz"}, "unknown shorthand flag: 'x' in -xyz (long flags take two dashes: --xyz)", "--repo"},
		{[]string{"validate", "-x"}, "unknown shorthand flag: 'x' in -x", "two dashes"},
		{[]string{"schema", "-o", "json"}, "unknown shorthand flag: 'o' in -o", "two dashes"},
	} {
		code, stdout, stderr := runCmd(t, tc.args...)
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "Error: ") || !strings.Contains(stderr, tc.want) ||
			strings.Contains(stderr, tc.deny) || !strings.Contains(stderr, "reconciler "+tc.args[0]+" --help") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q, not %q", tc.args, code, stdout, stderr, tc.want, tc.deny)
		}
	}
	// a value that looks like a flag is a value, after a long flag or a shorthand
	for _, a := range [][]string{{"plan", "--repo", "-output", "-o", "yaml"}, {"plan", "--now", "-", "-o", "yaml", "--ssh-key", "-repo"}} {
		if code, _, stderr := runCmd(t, a...); code != 1 || strings.Contains(stderr, "two dashes") || !strings.Contains(stderr, `format "yaml"`) {
			t.Errorf("%v: exit %d, stderr %q", a, code, stderr)
		}
	}
	if code, _, stderr := runCmd(t, "validate", "-o", "-repo"); code != 1 || strings.Contains(stderr, "two dashes") || !strings.Contains(stderr, `format "-repo"`) {
		t.Errorf("-o -repo: exit %d, stderr %q", code, stderr)
	}
}

// completion with a shell it does not know, or none, is an error a script sees (it printed
// the help and exited 0).
func TestCompletionUnknownShell(t *testing.T) {
	for _, a := range [][]string{{"completion", "tcsh"}, {"completion"}} {
		code, stdout, stderr := runCmd(t, a...)
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "Error: ") || !strings.Contains(stderr, "bash, fish, powershell or zsh") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", a, code, stdout, stderr)
		}
	}
	if code, _, stderr := runCmd(t, "completion", "-h"); code != 0 || stderr != "" {
		t.Errorf("completion -h: exit %d, stderr %q", code, stderr)
	}
}

// A boolean flag's help shows no value: pflag takes a `quoted` word of the usage as the value's
// name, and "--ignore-lease run" reads as if the flag took "run".
func TestBoolFlagsShowNoValue(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if name, _ := pflag.UnquoteUsage(f); f.Value.Type() == "bool" && name != "" {
				t.Errorf("%s --%s shows a value %q in its help", c.CommandPath(), f.Name, name)
			}
		})
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(quietRoot())
}

// A count or a delay that cannot work is refused before any I/O, naming the flag (they were
// silently replaced: --retry-attempts 0, meant as "no retry", gave 8 tries; --concurrency 0 gave
// 4; a negative --poll-interval reached the node drains).
func TestNonPositiveCountsAndDelaysRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apply", "--concurrency", "0"}, "--concurrency 0: must be at least 1"},
		{[]string{"rotate", "--concurrency=-3"}, "--concurrency -3: must be at least 1"},
		{[]string{"plan", "--retry-attempts", "0"}, "--retry-attempts 0: must be at least 1 (1: no retry)"},
		{[]string{"preview", "--head", "x", "--retry-base", "0s"}, "--retry-base 0s: must be positive"},
		{[]string{"plan", "--retry-max", "-1s"}, "--retry-max -1s: must be positive"},
		{[]string{"apply", "--poll-interval", "-1s"}, "--poll-interval -1s: must be positive"},
		{[]string{"run", "--repo", "https://git.invalid/f.git", "--interval", "0s"}, "--interval 0s: must be positive"},
		{[]string{"run", "--repo", "https://git.invalid/f.git", "--drift-interval", "-5m"}, "--drift-interval -5m0s: must be positive"},
		{[]string{"run", "--repo", "https://git.invalid/f.git", "--concurrency", "0"}, "--concurrency 0: must be at least 1"},
		{[]string{"emulator", "--quota-pools", "-1"}, "--quota-pools -1: must be 0 (unlimited) or more"},
	} {
		code, stdout, stderr := runCmd(t, append(tc.args, "--repo", "/nonexistent")...)
		if tc.args[0] == "run" || tc.args[0] == "emulator" {
			code, stdout, stderr = runCmd(t, tc.args...)
		}
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "Error: "+tc.want) || strings.Contains(stderr, "nonexistent") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want Error: %s", tc.args, code, stdout, stderr, tc.want)
		}
	}
	// the same flags with working values go on (and fail later, at the missing repository)
	if code, _, stderr := runCmd(t, "plan", "--repo", "/nonexistent", "--retry-attempts", "1", "-o", "yaml"); code != 1 || !strings.Contains(stderr, `format "yaml"`) {
		t.Errorf("--retry-attempts 1: exit %d, stderr %q", code, stderr)
	}
	// run's manifests are parsed alone too (deploy_args_test): the same refusal
	var errb strings.Builder
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &errb, stderr: &errb, getenv: func(string) string { return "" }}
	if f, code := parseRunFlags(env, []string{"--repo", "https://git.invalid/f.git", "--interval=0s"}); f != nil || code != 1 || !strings.Contains(errb.String(), "--interval 0s: must be positive") {
		t.Errorf("parseRunFlags --interval=0s: %v, exit %d, stderr %q", f, code, errb.String())
	}
}

// A --now that is not an RFC 3339 time is said with an example, before the repository or the
// API is touched (it said: parsing time "tomorrow" as "2006-01-02T15:04:05Z07:00": cannot
// parse "tomorrow" as "2006", and preview said it only after fetching both refs).
func TestBadNowSaysTheFormat(t *testing.T) {
	t.Setenv("SCW_CONFIG_PATH", t.TempDir()+"/none.yaml")
	t.Setenv("SCW_API_URL", "http://127.0.0.1:1")
	t.Setenv("SCW_ACCESS_KEY", "SCWXXXXXXXXXXXXXXXXX")
	t.Setenv("SCW_SECRET_KEY", "11111111-1111-4111-8111-111111111111")
	t.Setenv("SCW_DEFAULT_PROJECT_ID", "11111111-1111-4111-8111-111111111111")
	for _, a := range [][]string{{"plan"}, {"apply"}, {"rotate", "--dry-run"}, {"preview", "--head", "x"}} {
		code, stdout, stderr := runCmd(t, append(a, "--repo", "/nonexistent", "--now", "tomorrow")...)
		want := "Error: --now tomorrow: not an RFC 3339 time (e.g. 2026-12-06T02:30:00+01:00)\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", a, code, stdout, stderr, want)
		}
	}
}

// preview's --post flags without --post are refused, before any I/O: a script that passed
// --pr 7 and forgot --post exited 0 and posted nothing. An unknown --forge is named first.
func TestPreviewPostFlagsNeedPost(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--pr", "7"}, "Error: --pr is used with --post only: add --post to write the preview to the pull request, or drop --pr"},
		{[]string{"--forge", "github"}, "Error: --forge is used with --post only"},
		{[]string{"--status-url", "https://ci.example.com/1"}, "Error: --status-url is used with --post only"},
		{[]string{"--post", "--pr", "7", "--forge", "gitlab"}, `Error: --forge gitlab: use gitea or github`},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"preview", "--repo", "/nonexistent", "--head", "x"}, tc.args...)...)
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, tc.want) || strings.Contains(stderr, "nonexistent") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q…", tc.args, code, stdout, stderr, tc.want)
		}
	}
}
