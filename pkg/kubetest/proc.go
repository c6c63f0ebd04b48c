package kubetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one started program.
type proc struct {
	name, log string
	cmd       *exec.Cmd
	done      chan struct{} // closed when it exited
	err       error         // its exit status, valid after done
}

// group owns the started processes and stops them in reverse order.
type group struct {
	t     TB
	mu    sync.Mutex
	procs []*proc
}

func (g *group) start(ctx context.Context, name, logPath, bin string, args ...string) *proc {
	g.t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		g.fail(ctx, "%s log: %v", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "GOTRACEBACK=all")
	// Own process group: stop signals reach the program and any children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		g.fail(ctx, "start %s: %v", name, err)
	}
	p := &proc{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	g.mu.Lock()
	g.procs = append(g.procs, p)
	g.mu.Unlock()
	return p
}

// stop terminates every process group (SIGTERM, then SIGKILL after 10s),
// newest first, and logs their output tails when the test failed.
func (g *group) stop() {
	g.mu.Lock()
	procs := g.procs
	g.procs = nil
	g.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		pgid := p.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
		}
		// Reap stragglers in the group (none expected).
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	if g.t.Failed() {
		for _, p := range procs {
			g.t.Logf("kubetest: %s log tail:\n%s", p.name, tail(p.log, 40))
		}
	}
}

// fail stops the processes, shows their logs and fails the test.
func (g *group) fail(_ context.Context, format string, args ...any) {
	g.t.Helper()
	msg := fmt.Sprintf(format, args...)
	g.mu.Lock()
	procs := append([]*proc(nil), g.procs...)
	g.mu.Unlock()
	for _, p := range procs {
		g.t.Logf("kubetest: %s log tail:\n%s", p.name, tail(p.log, 40))
	}
	g.t.Fatalf("kubetest: %s", msg)
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
