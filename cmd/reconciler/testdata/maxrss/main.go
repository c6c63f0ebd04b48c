// Command maxrss runs a command and writes its peak resident set size, in bytes, to a file:
//
//	maxrss OUT CMD [ARG...]
//
// It exits with the command's exit code. The bounds tests start the reconciler through it rather
// than directly: Linux counts in a command's peak RSS the RSS of the process that started it (exec
// records the old address space's peak), and this process is a few megabytes, where the test
// process is a hundred. The command is killed if maxrss dies (a test's timeout).
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: maxrss OUT CMD [ARG...]")
		os.Exit(125)
	}
	out, args := os.Args[1], os.Args[2:]
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var ee *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "maxrss:", err)
		os.Exit(125)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "maxrss: no rusage")
		os.Exit(125)
	}
	if err := os.WriteFile(out, []byte(strconv.FormatInt(ru.Maxrss<<10, 10)), 0o644); err != nil { // Maxrss is in KiB on Linux
		fmt.Fprintln(os.Stderr, "maxrss:", err)
		os.Exit(125)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
