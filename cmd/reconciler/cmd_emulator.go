package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

func init() {
	register(&command{name: "emulator", summary: "serve the Scaleway Kubernetes API emulator", run: runEmulator})
}

func runEmulator(ctx context.Context, env *cmdEnv, args []string) int {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	stateFile := fs.String("state", "", "state file: loaded at start, saved after each change")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of a kube-apiserver where nodes are registered")
	dwell := fs.String("dwell", "demo", "transition timings: demo (seconds) or test (immediate)")
	quotaClusters := fs.Int("quota-clusters", 0, "max clusters per project and region (0: unlimited)")
	quotaPools := fs.Int("quota-pools", 0, "max pools per cluster (0: unlimited)")
	requirePN := fs.Bool("require-private-network", false, "refuse Kapsule clusters without an existing private network, as the real API")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	opts := emulator.Options{StateFile: *stateFile, RequirePrivateNetwork: *requirePN,
		Quotas: emulator.Quotas{Clusters: *quotaClusters, PoolsPerCluster: *quotaPools},
		Logf:   func(f string, a ...any) { fmt.Fprintf(env.stderr, f+"\n", a...) }}
	switch *dwell {
	case "demo":
		opts.Dwell = emulator.DemoDwell
	case "test":
		opts.Dwell = emulator.TestDwell
	default:
		fmt.Fprintf(env.stderr, "emulator: unknown --dwell %q (demo|test)\n", *dwell)
		return 2
	}
	if *kubeconfig != "" {
		b, err := os.ReadFile(*kubeconfig)
		if err != nil {
			fmt.Fprintf(env.stderr, "emulator: %v\n", err)
			return 1
		}
		opts.Kubeconfig = b
	}
	s, err := emulator.New(opts)
	if err != nil {
		fmt.Fprintf(env.stderr, "emulator: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(env.stderr, "emulator: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.stdout, "emulator listening on http://%s (SCW_API_URL=http://%s)\n", ln.Addr(), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		return 0
	case err := <-errc:
		fmt.Fprintf(env.stderr, "emulator: %v\n", err)
		return 1
	}
}
