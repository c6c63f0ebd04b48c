package main

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// docExample is one `reconciler <command> …` command line found in the documentation.
type docExample struct {
	where  string // file:line
	line   string
	inline bool // an inline code span (prose: `reconciler lease` may be a commit message, not a command)
}

// docExamples extracts the reconciler command lines of a Markdown file: the lines of fenced code
// blocks (a trailing backslash joins the next line; a # comment is dropped) and the inline code
// spans, whose command word is reconciler (after VAR=value assignments and a "$" prompt).
func docExamples(t *testing.T, file string) []docExample {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []docExample
	add := func(line int, text string, inline bool) {
		if words := commandWords(text); words != nil {
			out = append(out, docExample{where: file + ":" + strconv.Itoa(line), line: strings.Join(words, " "), inline: inline})
		}
	}
	lines := strings.Split(string(b), "\n")
	inBlock, joined, start := false, "", 0
	var prose []string // the prose lines, for inline spans (which may wrap)
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inBlock = !inBlock
			prose = append(prose, "")
			continue
		}
		if !inBlock {
			prose = append(prose, l)
			continue
		}
		prose = append(prose, "")
		if joined == "" {
			start = i + 1
		}
		if c, ok := strings.CutSuffix(strings.TrimRight(l, " \t"), `\`); ok {
			joined += c + " "
			continue
		}
		add(start, joined+l, false)
		joined = ""
	}
	text := strings.Join(prose, "\n")
	for _, m := range inlineCode.FindAllStringSubmatchIndex(text, -1) {
		add(strings.Count(text[:m[0]], "\n")+1, strings.ReplaceAll(text[m[2]:m[3]], "\n", " "), true)
	}
	return out
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// commandWords is the words of a reconciler command line from the word after the program on,
// nil when the line is not one.
func commandWords(line string) []string {
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	words := strings.Fields(line)
	for len(words) > 0 && (words[0] == "$" || strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-")) {
		words = words[1:]
	}
	if len(words) < 2 || path.Base(words[0]) != "reconciler" {
		return nil
	}
	return words[1:]
}

// Inline spans in prose also name flags without the program: `run --leader-elect` (a command
// and its flags) or a bare `--ready-failures`.
var (
	proseCommand = regexp.MustCompile("`([a-z]+(?: [a-z]+)? --?[a-z][^`]*)`")
	proseFlag    = regexp.MustCompile("`(--[a-z][a-z0-9-]*)")
)

// everyFlag is the long flags of every command.
func everyFlag(root *cobra.Command) map[string]bool {
	all := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { all[f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return all
}

// checkExample reports what in words (`<command> [sub…] args`) the CLI does not have: the
// command, or a flag of it (long, --name or --name=value, or short, -o).
func checkExample(root *cobra.Command, words []string) []string {
	c, rest, err := root.Find(words)
	if err != nil || c == root {
		return []string{"no command " + strings.Join(words[:1], " ")}
	}
	var bad []string
	for _, w := range rest {
		switch {
		case w == "--" || w == "-":
			return bad
		case strings.HasPrefix(w, "--"):
			name, _, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
			if c.Flags().Lookup(name) == nil && c.InheritedFlags().Lookup(name) == nil && name != "help" {
				bad = append(bad, "--"+name)
			}
		case strings.HasPrefix(w, "-") && len(w) >= 2 && w[1] != '-' && !strings.ContainsAny(w[1:2], "0123456789"):
			for _, r := range w[1:] {
				if r == '=' {
					break
				}
				if c.Flags().ShorthandLookup(string(r)) == nil && r != 'h' {
					bad = append(bad, "-"+string(r))
				}
			}
		}
	}
	return bad
}

// Every reconciler command line in README.md and docs/*.md names a command that exists and only
// flags that command takes.
func TestDocExamplesUseFlagsThatExist(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{}, getenv: os.Getenv}
	root := newRootCmd(env)
	root.InitDefaultCompletionCmd() // cobra adds `completion` when it executes
	n := 0
	for _, f := range files {
		for _, ex := range docExamples(t, f) {
			n++
			t.Logf("%s: reconciler %s", strings.TrimPrefix(ex.where, "../../"), ex.line)
			if ex.inline && !strings.Contains(ex.line, " -") {
				if c, _, err := root.Find(strings.Fields(ex.line)); err != nil || c == root {
					continue // prose naming something else, e.g. the commit message `reconciler lease`
				}
			}
			if bad := checkExample(root, strings.Fields(ex.line)); len(bad) > 0 {
				t.Errorf("%s: reconciler %s: %s not in `reconciler %s -h`", strings.TrimPrefix(ex.where, "../../"), ex.line,
					strings.Join(bad, ", "), strings.Fields(ex.line)[0])
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d reconciler command lines found in the docs: the extraction is broken", n)
	}

	// The prose of the reconciler's own docs (scaleway-k8s-api.md describes Scaleway's clients,
	// whose flags are not ours): `run --shards N` is checked against run, a bare `--flag` against
	// every command.
	all := everyFlag(root)
	for _, f := range files {
		if strings.HasSuffix(f, "scaleway-k8s-api.md") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text, name := string(b), strings.TrimPrefix(f, "../../")
		for _, m := range proseCommand.FindAllStringSubmatchIndex(text, -1) {
			words := strings.Fields(text[m[2]:m[3]])
			if c, _, err := root.Find(words); err != nil || c == root {
				continue // not a command: an option's value, a field
			}
			if bad := checkExample(root, words); len(bad) > 0 {
				t.Errorf("%s:%d: `%s`: %s not in `reconciler %s -h`", name, strings.Count(text[:m[0]], "\n")+1, text[m[2]:m[3]],
					strings.Join(bad, ", "), words[0])
			}
		}
		for _, m := range proseFlag.FindAllStringSubmatchIndex(text, -1) {
			if flag := text[m[2]:m[3]]; !all[strings.TrimPrefix(flag, "--")] {
				t.Errorf("%s:%d: `%s` is a flag of no command", name, strings.Count(text[:m[0]], "\n")+1, flag)
			}
		}
	}
}

// The checker itself: a made-up flag or command is caught, a real one passes.
func TestCheckExample(t *testing.T) {
	root := newRootCmd(&cmdEnv{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{}, getenv: os.Getenv})
	root.InitDefaultCompletionCmd()
	for line, want := range map[string]string{
		"plan --repo . -o json --detailed-exitcode":           "",
		"run --repo x --webhook-secret-file=s --leader-elect": "",
		"completion bash":            "",
		"plan --repo . --frobnicate": "--frobnicate",
		"rotate -x":                  "-x",
		"frobnicate --repo .":        "no command frobnicate",
	} {
		if got := strings.Join(checkExample(root, strings.Fields(line)), ","); got != want {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
	got := commandWords(`SCW_API_URL=http://127.0.0.1:8081 ./bin/reconciler plan --repo . # a comment --nope`)
	if strings.Join(got, " ") != "plan --repo ." {
		t.Errorf("commandWords = %q", got)
	}
	if commandWords("kubectl -n reconciler create secret") != nil {
		t.Error("a kubectl line taken for a reconciler command")
	}
}

// README.md opens with the two commands to try it and to test it: `make demo`, then `make test`
// (only the title may come before them).
func TestReadmeOpensWithDemoAndTest(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "# ") || strings.HasPrefix(l, "```") {
			continue
		}
		first = append(first, l)
		if len(first) == 2 {
			break
		}
	}
	if len(first) != 2 || !strings.HasPrefix(first[0], "make demo") || !strings.HasPrefix(first[1], "make test") {
		t.Errorf("README.md's first lines are %q, want `make demo` then `make test`", first)
	}
}
