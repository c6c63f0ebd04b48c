package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

func init() { register(newEmulatorCmd) }

// defaultEmulatorListen is the emulator's default address: a port of its own (run's is 8080),
// so both run side by side on one machine.
const defaultEmulatorListen = "127.0.0.1:8081"

// emulatorFlags are the emulator command's settings.
type emulatorFlags struct {
	listen, stateFile, kubeconfig, dwell string
	quotaClusters, quotaPools            int
	requirePN                            bool
}

func newEmulatorCmd(env *cmdEnv) *cobra.Command {
	var f emulatorFlags
	c := &cobra.Command{
		Use:   "emulator",
		Short: "Serve the Scaleway Kubernetes API emulator",
		Long: `Emulator serves an emulation of the Scaleway Kubernetes API (clusters, pools, nodes, versions,
transitions, quotas) that the unmodified scaleway-sdk-go talks to. Point the other commands at
it with SCW_API_URL and fake, well-formed credentials:

  SCW_API_URL=http://127.0.0.1:8081 SCW_ACCESS_KEY=SCWXXXXXXXXXXXXXXXXX \
  SCW_SECRET_KEY=11111111-1111-4111-8111-111111111111 \
  SCW_DEFAULT_PROJECT_ID=11111111-1111-4111-8111-111111111111 reconciler plan --repo .`,
		Example: `  reconciler emulator
  reconciler emulator --listen 127.0.0.1:4510 --state emulator.json --dwell test`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return exit(runEmulator(c.Context(), env, &f)) },
	}
	registerEmulatorFlags(c.Flags(), &f)
	return c
}

func registerEmulatorFlags(fs *pflag.FlagSet, f *emulatorFlags) {
	fs.StringVar(&f.listen, "listen", defaultEmulatorListen, "address to listen on")
	fs.StringVar(&f.stateFile, "state", "", "state file: loaded at start, saved after each change")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of a kube-apiserver where nodes are registered")
	fs.StringVar(&f.dwell, "dwell", "demo", "transition timings: demo (seconds) or test (immediate)")
	fs.IntVar(&f.quotaClusters, "quota-clusters", 0, "max clusters per project and region (0: unlimited)")
	fs.IntVar(&f.quotaPools, "quota-pools", 0, "max pools per cluster (0: unlimited)")
	fs.BoolVar(&f.requirePN, "require-private-network", false, "refuse Kapsule clusters without an existing private network, as the real API")
}

func runEmulator(ctx context.Context, env *cmdEnv, f *emulatorFlags) int {
	listen, stateFile, kubeconfig, dwell, quotaClusters, quotaPools := &f.listen, &f.stateFile, &f.kubeconfig, &f.dwell, &f.quotaClusters, &f.quotaPools
	opts := emulator.Options{StateFile: *stateFile, RequirePrivateNetwork: f.requirePN,
		Quotas: emulator.Quotas{Clusters: *quotaClusters, PoolsPerCluster: *quotaPools},
		Logf:   func(f string, a ...any) { fmt.Fprintf(env.stderr, f+"\n", a...) }}
	switch *dwell {
	case "demo":
		opts.Dwell = emulator.DemoDwell
	case "test":
		opts.Dwell = emulator.TestDwell
	default:
		fmt.Fprintf(env.stderr, "Error: unknown --dwell %q (demo|test)\n", *dwell)
		return 1
	}
	if *stateFile != "" {
		// saved after each change into a temporary file beside it: a missing directory would
		// lose every change, each with a log line
		if dir := filepath.Dir(*stateFile); !isDir(dir) {
			fmt.Fprintf(env.stderr, "Error: --state %s: directory %s does not exist (hint: create it, or choose another path)\n", *stateFile, dir)
			return 1
		}
	}
	if *kubeconfig != "" {
		b, err := os.ReadFile(*kubeconfig)
		if err != nil {
			fmt.Fprintf(env.stderr, "Error: %v\n", err)
			return 1
		}
		opts.Kubeconfig = b
	}
	s, err := emulator.New(opts)
	if err != nil {
		fmt.Fprintf(env.stderr, "Error: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(env.stderr, "Error: %v\n", err)
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
		fmt.Fprintf(env.stderr, "Error: %v\n", err)
		return 1
	}
}

// isDir tells whether path is an existing directory.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
