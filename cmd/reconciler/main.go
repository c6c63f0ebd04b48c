// Command reconciler is the GitOps reconciler for Scaleway Kapsule and Kosmos clusters.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
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
	nameGitClient()
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
