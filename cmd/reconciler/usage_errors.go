package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// Usage errors: what cobra and pflag say about a command line, made to name the fix.

// singleDashArgs runs singleDashLongFlag for the command args name, if any.
func singleDashArgs(root *cobra.Command, args []string) error {
	c, rest, err := root.Find(args)
	if err != nil || c == root || c.DisableFlagParsing {
		return nil // cobra reports an unknown command itself
	}
	return singleDashLongFlag(c, rest)
}

// strictCompletion makes "completion" without a shell, or with one cobra does not know, an error
// (cobra's default prints the help and exits 0, which a script takes for success).
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
	if len(shells) == 0 {
		return
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
		if len(a) == 2 && a[0] == '-' {
			if f := fs.ShorthandLookup(a[1:]); f != nil && f.NoOptDefVal == "" {
				i++ // -o json: the next word is the value
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
	}
	return nil
}
