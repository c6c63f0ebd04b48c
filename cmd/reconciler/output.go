package main

import (
	"fmt"
	"slices"
	"strings"
)

// checkOutput refuses an output format the command does not print; commands call it before
// any I/O.
func checkOutput(format string, allowed ...string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return fmt.Errorf("unknown output format %q: use %s", format, strings.Join(allowed, " or "))
}
