package kubetest

import (
	"context"
	"fmt"
	"net"
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

// startServing starts a server on n fresh loopback ports (args builds its
// arguments from them) and polls ready until it holds. A port is free when
// chosen but another process may bind it before ours does; when the server
// then exits saying so, it is started again on fresh ports (up to 3 times).
// Any other exit, or ctx ending, fails the test.
func (g *group) startServing(ctx context.Context, name, logPath, bin string, n int, args func(ports []int) []string, ready func() bool) *proc {
	g.t.Helper()
	const attempts = 3
	for attempt := 1; ; attempt++ {
		p := g.start(ctx, name, logPath, bin, args(choosePorts(g.t, n))...)
		if !g.pollExit(ctx, p, name, ready) {
			return p
		}
		if attempt == attempts || !strings.Contains(tail(p.log, 40), "address already in use") {
			g.fail(ctx, "%s exited (%v) while starting", name, p.err)
		}
		g.t.Logf("kubetest: %s lost a port to another process (attempt %d), starting it on fresh ports", name, attempt)
		g.forget(p)
	}
}

// pollExit checks cond every 50ms until it holds (false) or p exits (true);
// ctx ending fails the test.
func (g *group) pollExit(ctx context.Context, p *proc, what string, cond func() bool) (exited bool) {
	g.t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-p.done:
			return true
		case <-ctx.Done():
			g.fail(ctx, "timed out waiting for %s", what)
		case <-tick.C:
		}
	}
	return false
}

// forget drops an exited process from the group.
func (g *group) forget(p *proc) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, q := range g.procs {
		if q == p {
			g.procs = append(g.procs[:i], g.procs[i+1:]...)
			return
		}
	}
}

// choosePorts is freePorts; a test makes it hand out a taken port.
var choosePorts = freePorts

// freePorts asks the kernel for n distinct free loopback ports, holding
// them all open until every one is chosen (closed one by one, the kernel
// may hand the same port out twice).
func freePorts(t TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("kubetest: free port: %v", err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}
