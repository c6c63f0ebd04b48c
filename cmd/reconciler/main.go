// Command reconciler is the GitOps reconciler for Scaleway Kapsule and Kosmos clusters.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// cmdEnv is what a command may touch: its streams and environment, injectable in tests.
type cmdEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// builders make the subcommands. Each lives in its own cmd_<name>.go file, registers its
// builder in init and keeps its flags in its builder: a command is built afresh for every
// invocation, so the flags bind to that invocation's variables.
var builders []func(env *cmdEnv) *cobra.Command

func register(b func(env *cmdEnv) *cobra.Command) { builders = append(builders, b) }

// exitCode is an error that carries a command's exit code; the command already said why.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// exit turns a command's exit code into RunE's error (nil for 0).
func exit(code int) error {
	if code == 0 {
		return nil
	}
	return exitCode(code)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &cmdEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(runMain(ctx, env, os.Args[1:]))
}

// runMain runs the command line args and returns the exit code: 0 done (or help), 1 an error
// (a usage error included), 2 what a command's --detailed-exitcode reports.
func runMain(ctx context.Context, env *cmdEnv, args []string) int {
	root := newRootCmd(env)
	if len(args) == 0 { // a command is required
		root.SetOut(env.stderr)
		_ = root.Usage()
		return 1
	}
	root.SetArgs(args)
	err := singleDashArgs(root, args)
	if err == nil {
		err = root.ExecuteContext(ctx)
	}
	var code exitCode
	switch {
	case errors.As(err, &code):
		return int(code)
	case err != nil:
		fmt.Fprintf(env.stderr, "Error: %v\n", err)
		if c, _, ferr := root.Find(args); ferr == nil && c != root {
			fmt.Fprintf(env.stderr, "Run '%s --help' for usage.\n", c.CommandPath())
		} else {
			fmt.Fprintln(env.stderr, "Run 'reconciler --help' for usage.")
		}
		return 1
	}
	return 0
}

// singleDashArgs runs singleDashLongFlag for the command args name, if any.
func singleDashArgs(root *cobra.Command, args []string) error {
	c, rest, err := root.Find(args)
	if err != nil || c == root || c.DisableFlagParsing {
		return nil // cobra reports an unknown command itself
	}
	return singleDashLongFlag(c, rest)
}

// newRootCmd is the command tree, writing to env's streams.
func newRootCmd(env *cmdEnv) *cobra.Command {
	root := &cobra.Command{
		Use:   "reconciler",
		Short: "GitOps reconciler for Scaleway Kapsule and Kosmos clusters",
		Long: `reconciler keeps Scaleway Kubernetes clusters (Kapsule and Kosmos) in step with the cluster
specs of a Git repository: it plans, applies, upgrades within windows, rotates nodes and
writes what it did back to the repository.

Scaleway credentials come from the scw profile (~/.config/scw/config.yaml, SCW_CONFIG_PATH)
and the SCW_* environment (SCW_ACCESS_KEY, SCW_SECRET_KEY, SCW_DEFAULT_PROJECT_ID);
SCW_API_URL points every command at 'reconciler emulator'. Git HTTPS credentials come from
GIT_TOKEN, or GIT_USERNAME and GIT_PASSWORD; ssh remotes take --ssh-key and --known-hosts.`,
		Example: `  reconciler validate --repo .
  reconciler plan --repo . -o json --detailed-exitcode
  reconciler apply --repo https://git.example.com/fleet.git --ref main
  reconciler run --repo https://git.example.com/fleet.git --webhook-secret-file secret`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// every command: a count or delay that cannot work is refused before any I/O
		PersistentPreRunE: func(c *cobra.Command, _ []string) error { return checkFlagValues(c.Flags()) },
	}
	root.SetIn(env.stdin)
	root.SetOut(env.stdout)
	root.SetErr(env.stderr)
	root.SetFlagErrorFunc(flagError)
	for _, b := range builders {
		c := b(env)
		// pflag's own messages (a deprecated flag) go to stderr, never into stdout's report
		c.Flags().SetOutput(env.stderr)
		completeOutputFormats(c)
		root.AddCommand(c)
	}
	strictCompletion(root)
	return root
}

// strictCompletion makes "completion" without a shell, or with one cobra does not know, an error
// (cobra's default prints the help and exits 0, which a script takes for a script).
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	c, _, err := root.Find([]string{"completion"})
	if err != nil || c == root {
		return
	}
	var shells []string
	for _, s := range c.Commands() {
		shells = append(shells, s.Name())
	}
	slices.Sort(shells)
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(_ *cobra.Command, args []string) error {
		want := strings.Join(shells[:len(shells)-1], ", ") + " or " + shells[len(shells)-1]
		if len(args) == 0 {
			return fmt.Errorf("completion needs a shell: %s", want)
		}
		return fmt.Errorf("completion %q: unknown shell: use %s", args[0], want)
	}
}

// completeOutputFormats makes shell completion offer the formats of c's -o.
func completeOutputFormats(c *cobra.Command) {
	f := c.Flags().Lookup("output")
	if f == nil {
		return
	}
	var formats []string
	for _, v := range f.Annotations[outputFormatsAnnotation] {
		if v != "or" {
			formats = append(formats, v)
		}
	}
	_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// flagError explains a flag error; a single-dash word (Go's flag package accepted -repo) gets a
// hint to use two dashes, naming it. A one-letter shorthand the command lacks (-x) gets none.
func flagError(c *cobra.Command, err error) error {
	if m := unknownShorthand.FindStringSubmatch(err.Error()); m != nil && len(m[1]) > 1 {
		return fmt.Errorf("%w (long flags take two dashes: --%s)", err, m[1])
	}
	return err
}

// unknownShorthand is pflag's error for an unknown shorthand; group 1 is the word after the dash
// (without an =value).
var unknownShorthand = regexp.MustCompile(`unknown shorthand flag: '.' in -([^=\s]+)`)

// singleDashLongFlag refuses, before cobra parses args, a long flag of c written with one dash:
// pflag would read -output json as -o "utput" followed by an argument "json" and say something
// unrelated ("unknown command json"). Nothing after "--" is checked, nor a flag's value.
func singleDashLongFlag(c *cobra.Command, args []string) error {
	fs := c.Flags()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if strings.HasPrefix(a, "--") {
			if f := fs.Lookup(strings.TrimPrefix(a, "--")); f != nil && f.NoOptDefVal == "" {
				i++ // the next word is this flag's value
			}
			continue
		}
		if len(a) < 3 || a[0] != '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if f := fs.Lookup(name); f != nil {
			return fmt.Errorf("%s: long flags take two dashes: --%s", a, name)
		}
		if f := fs.ShorthandLookup(a[1:2]); f != nil && f.NoOptDefVal == "" && len(a) == 2 {
			i++ // -o json: the next word is the value
		}
	}
	return nil
}
