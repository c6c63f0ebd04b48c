package kubetest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvTestbinDir names the directory holding kube-apiserver,
// kube-controller-manager and etcd (what build.sh prints).
const EnvTestbinDir = "K8S_TESTBIN_DIR"

// Binaries are the paths of the three control-plane programs.
type Binaries struct {
	Dir, APIServer, ControllerManager, Etcd string
}

// FindBinaries locates the binaries: $K8S_TESTBIN_DIR, else build.sh's
// default cache directory for the tools module found above the working
// directory. The error says how to get them.
func FindBinaries() (Binaries, error) {
	dir := os.Getenv(EnvTestbinDir)
	if dir == "" {
		d, err := defaultDir()
		if err != nil {
			return Binaries{}, err
		}
		dir = d
	}
	b := Binaries{
		Dir:               dir,
		APIServer:         filepath.Join(dir, "kube-apiserver"),
		ControllerManager: filepath.Join(dir, "kube-controller-manager"),
		Etcd:              filepath.Join(dir, "etcd"),
	}
	for _, p := range []string{b.APIServer, b.ControllerManager, b.Etcd} {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return Binaries{}, fmt.Errorf("no executable %s (run `make k8s-testbin` or set %s)", p, EnvTestbinDir)
		}
	}
	return b, nil
}

// defaultDir mirrors build.sh: $HOME/.cache/reconciler/k8s-testbin/<k8s
// version>-<go version>-<first 12 hex of sha256(go.sum)>.
func defaultDir() (string, error) {
	mod, err := toolsModule()
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(mod, "go.sum"))
	if err != nil {
		return "", fmt.Errorf("k8s-testbin: %w", err)
	}
	ver, err := requiredVersion(filepath.Join(mod, "go.mod"), "k8s.io/kubernetes")
	if err != nil {
		return "", err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("k8s-testbin: %w", err)
	}
	h := sha256.Sum256(sum)
	key := ver + "-" + runtime.Version() + "-" + hex.EncodeToString(h[:])[:12]
	return filepath.Join(home, ".cache", "reconciler", "k8s-testbin", key), nil
}

// toolsModule finds hack/k8s-testbin in the working directory or above it.
func toolsModule() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("k8s-testbin: %w", err)
	}
	for {
		p := filepath.Join(dir, "hack", "k8s-testbin")
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("k8s-testbin: no hack/k8s-testbin above the working directory; set " + EnvTestbinDir)
		}
		dir = parent
	}
}

// requiredVersion reads the version of module mod from a go.mod's require lines.
func requiredVersion(gomod, mod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", fmt.Errorf("k8s-testbin: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(s.Text()), "require "))
		if len(fields) >= 2 && fields[0] == mod && fields[1] != "=>" {
			return fields[1], nil
		}
	}
	return "", fmt.Errorf("k8s-testbin: %s not required in %s", mod, gomod)
}
