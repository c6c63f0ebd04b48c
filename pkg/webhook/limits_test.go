package webhook_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

// zeros is an endless body that costs the client no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// countingBody counts what the handler read of the request body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// serve serves h on a real server (deadlines need a real connection) and counts the body
// bytes h reads.
func serve(t *testing.T, h http.Handler) (string, *atomic.Int64) {
	t.Helper()
	var read atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := r.Body
		r.Body = countingBody{body, &read}
		h.ServeHTTP(w, r)
		r.Body = body // the server looks at its own body to decide how to close the connection
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &read
}

func newHandler(t *testing.T, l webhook.Limits) *webhook.Handler {
	t.Helper()
	h, err := webhook.New(secret, "main", webhook.Trigger(make(chan webhook.Push, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.SetLimits(l)
	return h
}

func TestLimitsBodySize(t *testing.T) {
	const max = webhook.DefaultMaxBody
	padded := pushMain + strings.Repeat(" ", max-len(pushMain)) // a valid push of exactly the cap
	cases := []struct {
		name      string
		size      int64 // of a zero body, when body is ""
		body      string
		chunked   bool
		signature string
		want      int
		maxRead   int64
	}{
		{"declared length over the cap is refused unread", 24 << 20, "", false, "00", 413, 0},
		{"chunked body over the cap is read up to the cap", 24 << 20, "", true, "00", 413, max + 1},
		{"no signature header is refused unread", 4 << 10, "", false, "", 401, 0},
		{"a body of exactly the cap is accepted", 0, padded, false, "sha256=" + hmacHex(secret, padded), 202, max},
		{"a chunked body of exactly the cap is accepted", 0, padded, true, "sha256=" + hmacHex(secret, padded), 202, max},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, read := serve(t, newHandler(t, webhook.Limits{}))
			var body io.Reader = io.LimitReader(zeros{}, tc.size)
			size := tc.size
			if tc.body != "" {
				body, size = strings.NewReader(tc.body), int64(len(tc.body))
			}
			if tc.chunked {
				body, size = io.MultiReader(body), -1 // hides the length from the client
			}
			req, err := http.NewRequest("POST", url, body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = size
			if tc.signature != "" {
				req.Header.Set("X-Hub-Signature-256", tc.signature)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.want)
			}
			if n := read.Load(); n > tc.maxRead {
				t.Errorf("handler read %d body bytes, want at most %d", n, tc.maxRead)
			}
		})
	}
}

// slowRequest sends a signed-looking webhook's headers and part of its body, then nothing.
func slowRequest(t *testing.T, url string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nX-Gitea-Signature: 00\r\n\r\n{\"ref\":")
	return c
}

func TestLimitsReadTimeoutCutsSlowBody(t *testing.T) {
	url, _ := serve(t, newHandler(t, webhook.Limits{ReadTimeout: 200 * time.Millisecond}))
	c := slowRequest(t, url)
	c.SetReadDeadline(time.Now().Add(30 * time.Second)) // generous: only a hang reaches it
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response to a stalled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status = %d, want 408", resp.StatusCode)
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Errorf("connection not closed by the server: %v", err)
	}
}

func TestLimitsConcurrencyRefusesAtOnce(t *testing.T) {
	url, _ := serve(t, newHandler(t, webhook.Limits{MaxConcurrent: 2, ReadTimeout: time.Minute}))
	slow := []net.Conn{slowRequest(t, url), slowRequest(t, url)}
	post := func() *http.Response {
		req, _ := http.NewRequest("POST", url, strings.NewReader(pushMain))
		req.Header.Set("X-Hub-Signature-256", "sha256="+hmacHex(secret, pushMain))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// The two stalled bodies hold both slots once the server has read their headers; until
	// then a signed push still gets through.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var resp *http.Response
	for resp = post(); resp.StatusCode != http.StatusServiceUnavailable; resp = post() {
		if ctx.Err() != nil {
			t.Fatalf("never refused with both slots held: last status %d", resp.StatusCode)
		}
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	for _, c := range slow {
		c.Close()
	}
	for resp = post(); resp.StatusCode != http.StatusAccepted; resp = post() {
		if ctx.Err() != nil {
			t.Fatalf("slots not released after the slow senders left: last status %d", resp.StatusCode)
		}
	}
}
