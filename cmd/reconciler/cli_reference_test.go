package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

//go:generate go test -count=1 -run "TestCLIReferenceIsCurrent|TestHelpGolden" . -update

// cliDocsDir is the generated Markdown reference of the commands (`make docs` rewrites it).
const cliDocsDir = "../../docs/cli"

// commandPaths lists every command of the tree (the root included), as argument lists.
func commandPaths(c *cobra.Command) [][]string {
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		out = append(out, path)
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			walk(sub, append(slices.Clone(path), sub.Name()))
		}
	}
	walk(c, nil)
	return out
}

func quietRoot() *cobra.Command {
	var b bytes.Buffer
	root := newRootCmd(&cmdEnv{stdin: strings.NewReader(""), stdout: &b, stderr: &b, getenv: func(string) string { return "" }})
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	root.DisableAutoGenTag = true
	return root
}

// TestHelpGolden keeps every command's -h in testdata/help/<command path>.golden (-update
// rewrites them): the help is part of the interface, and a change to it shows in review.
func TestHelpGolden(t *testing.T) {
	paths := commandPaths(quietRoot())
	if len(paths) < 12 {
		t.Fatalf("%d commands, want every command of the tree", len(paths))
	}
	for _, p := range paths {
		name := strings.Join(append([]string{"reconciler"}, p...), "_")
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
			if code := runMain(context.Background(), env, append(slices.Clone(p), "-h")); code != 0 || errb.Len() > 0 {
				t.Fatalf("-h: exit %d, stderr %q", code, errb.String())
			}
			golden(t, filepath.Join("help", name+".golden"), out.String())
			if len(p) > 0 && !strings.Contains(out.String(), "Examples:") && p[0] != "completion" {
				t.Errorf("%s -h has no examples", name)
			}
		})
	}
}

// plan -h lists what planning takes, not the flags of the commands that change clusters.
func TestPlanHelpHasNoApplyFlags(t *testing.T) {
	_, out, _ := runCmd(t, "plan", "-h")
	for _, f := range []string{"--auto-approve", "--ignore-lease", "--concurrency", "--poll-interval", "--dry-run"} {
		if strings.Contains(out, f) {
			t.Errorf("plan -h lists %s", f)
		}
	}
	for _, f := range []string{"--ref", "--ssh-key", "--known-hosts", "--output", "--detailed-exitcode"} {
		if !strings.Contains(out, f) {
			t.Errorf("plan -h misses %s", f)
		}
	}
}

// TestCLIReferenceIsCurrent fails when docs/cli differs from what the commands generate; run
// `make docs` (or this test with -update) after changing a command.
func TestCLIReferenceIsCurrent(t *testing.T) {
	tmp := t.TempDir()
	if err := doc.GenMarkdownTree(quietRoot(), tmp); err != nil {
		t.Fatal(err)
	}
	if *updateGolden {
		if err := os.RemoveAll(cliDocsDir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(cliDocsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := doc.GenMarkdownTree(quietRoot(), cliDocsDir); err != nil {
			t.Fatal(err)
		}
	}
	want := readDir(t, tmp)
	got := readDir(t, cliDocsDir)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/cli is stale: run `make docs` (-generated +docs/cli):\n%s", diff)
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}
