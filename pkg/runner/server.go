package runner

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Bounds of every request NewServer serves; the webhook handler holds its bodies to a tighter
// deadline (webhook.Limits), which WriteTimeout leaves time to answer after.
const (
	serverReadHeaderTimeout = 10 * time.Second
	serverReadTimeout       = 30 * time.Second // headers and body
	serverWriteTimeout      = 30 * time.Second // from the end of the headers to the end of the response
	serverIdleTimeout       = 60 * time.Second // a kept-alive connection waiting for its next request
	serverMaxHeaderBytes    = 64 << 10
)

// NewServer returns the HTTP server `run` serves h on (see Handler), with every phase of a
// request bounded in time and its headers in size; the caller listens and calls Serve.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: serverReadHeaderTimeout, ReadTimeout: serverReadTimeout,
		WriteTimeout: serverWriteTimeout, IdleTimeout: serverIdleTimeout, MaxHeaderBytes: serverMaxHeaderBytes}
}

// Handler serves /healthz (the process is up), /readyz (Runner.Readiness: synced once and fewer
// than ReadyFailures consecutive failed passes; 503 with the reason otherwise),
// /metrics (Prometheus, from gatherer) and, when webhook is not nil, /webhook.
func Handler(r *Runner, gatherer prometheus.Gatherer, webhook http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if ok, why := r.Readiness(); !ok {
			http.Error(w, "not ready: "+why, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	if webhook != nil {
		mux.Handle("/webhook", webhook)
	}
	return mux
}
