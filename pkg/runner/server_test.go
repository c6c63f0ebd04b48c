package runner_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

// serve starts run's handler chain on run's server, on 127.0.0.1, with webhook limits l.
func serve(t *testing.T, l webhook.Limits) string {
	t.Helper()
	hook, err := webhook.New([]byte("secret"), "main", func(webhook.Push) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hook.SetLimits(l)
	srv := runner.NewServer(runner.Handler(&runner.Runner{}, prometheus.NewRegistry(), hook))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// slowConn is one attacker connection: a webhook's headers announcing a body below the cap,
// then a byte every 100 ms (trickle) or nothing.
type slowConn struct {
	net.Conn
	opened time.Time
}

func openSlow(t *testing.T, addr string, trickle bool, stop <-chan struct{}) *slowConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s := &slowConn{Conn: c, opened: time.Now()}
	fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nX-Gitea-Signature: 00\r\n\r\n", 512<<10)
	if trickle {
		go func() {
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := c.Write([]byte("a")); err != nil {
						return
					}
				}
			}
		}()
	}
	return s
}

// outcome reads the server's answer and waits for the server to close the connection.
type outcome struct {
	status int           // 0: no response
	closed bool          // EOF or reset from the server, not our own generous deadline
	after  time.Duration // from opening the connection to its close
	err    error
}

func (s *slowConn) outcome(limit time.Duration) outcome {
	s.SetReadDeadline(time.Now().Add(limit))
	br := bufio.NewReader(s)
	var o outcome
	resp, err := http.ReadResponse(br, nil)
	if err == nil {
		o.status = resp.StatusCode
		resp.Body.Close()
		_, err = io.Copy(io.Discard, br)
	}
	o.after, o.err = time.Since(s.opened), err
	o.closed = !errors.Is(err, os.ErrDeadlineExceeded)
	return o
}

func get(ctx context.Context, addr, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestServerCutsSlowWebhookBodies opens 200 connections that announce a webhook body and then
// trickle or send nothing: /healthz and /metrics answer while they are open, and the server
// answers and closes every one of them (503 at once past the concurrency limit, 408 at the body
// deadline for those it admitted).
func TestServerCutsSlowWebhookBodies(t *testing.T) {
	const conns, deadline = 200, time.Second
	addr := serve(t, webhook.Limits{ReadTimeout: deadline})
	stop := make(chan struct{})
	defer close(stop)
	slow := make([]*slowConn, conns)
	for i := range slow {
		slow[i] = openSlow(t, addr, i%2 == 1, stop)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, path := range []string{"/healthz", "/metrics"} {
		start := time.Now()
		code, err := get(ctx, addr, path)
		if err != nil || code != http.StatusOK {
			t.Fatalf("GET %s during the attack: %d %v", path, code, err)
		}
		t.Logf("GET %s during the attack: %d in %s", path, code, time.Since(start))
	}

	outcomes := make([]outcome, conns)
	var wg sync.WaitGroup
	for i, s := range slow {
		wg.Go(func() { outcomes[i] = s.outcome(30 * time.Second) })
	}
	wg.Wait()
	byStatus, slowest, open, early := map[int]int{}, map[int]time.Duration{}, 0, 0
	for _, o := range outcomes {
		byStatus[o.status]++
		slowest[o.status] = max(slowest[o.status], o.after)
		if !o.closed {
			open++
		}
		if o.status == http.StatusRequestTimeout && o.after < deadline {
			early++
		}
	}
	t.Logf("answers: %v; slowest close per status: %v", byStatus, slowest)
	if open > 0 {
		t.Errorf("%d of %d connections still open after 30s", open, conns)
	}
	if early > 0 {
		t.Errorf("%d connections answered 408 before the %s deadline", early, deadline)
	}
	if byStatus[http.StatusRequestTimeout] == 0 || byStatus[http.StatusRequestTimeout]+byStatus[http.StatusServiceUnavailable] != conns {
		t.Errorf("answers %v, want every connection answered 408 (admitted, cut at the deadline) or 503 (refused)", byStatus)
	}
}

// TestNewServerBoundsEveryPhase: no phase of a request is unbounded, and a webhook body that
// takes its whole deadline can still be answered.
func TestNewServerBoundsEveryPhase(t *testing.T) {
	s := runner.NewServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": s.ReadHeaderTimeout,
		"ReadTimeout": s.ReadTimeout, "WriteTimeout": s.WriteTimeout, "IdleTimeout": s.IdleTimeout} {
		if d <= 0 {
			t.Errorf("%s unset", name)
		}
	}
	if s.WriteTimeout <= webhook.DefaultReadTimeout {
		t.Errorf("WriteTimeout %s leaves no time to answer a webhook after its body deadline %s", s.WriteTimeout, webhook.DefaultReadTimeout)
	}
	if s.MaxHeaderBytes <= 0 || s.MaxHeaderBytes >= http.DefaultMaxHeaderBytes {
		t.Errorf("MaxHeaderBytes = %d, want a positive cap below the default %d", s.MaxHeaderBytes, http.DefaultMaxHeaderBytes)
	}
}

func TestServerRefusesOversizedHeaders(t *testing.T) {
	addr := serve(t, webhook.Limits{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("a", 256<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("256 KB of headers: status %d, want 431", resp.StatusCode)
	}
}
