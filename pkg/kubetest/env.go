package kubetest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Options tune Start.
type Options struct {
	// NoControllerManager skips kube-controller-manager: PDBs then never get
	// a status and every eviction they cover is refused.
	NoControllerManager bool
	// StartTimeout bounds the whole start; default 2m (the box may be busy).
	StartTimeout time.Duration
}

// Env is a running control plane.
type Env struct {
	// Config and Client act as cluster admin (group system:masters).
	Config *rest.Config
	Client kubernetes.Interface
	// Kubeconfig is the same access as kubeconfig YAML (server, CA, token),
	// e.g. for an emulated Scaleway API to hand out.
	Kubeconfig []byte
	// URL is the API server's https://127.0.0.1:port.
	URL string
	// Dir holds data, certificates and the processes' logs.
	Dir string
	// Binaries used.
	Binaries Binaries
	// Started is how long Start took (to ready, PDB controller included).
	Started time.Duration
}

// Start runs etcd, kube-apiserver and (unless opts say otherwise)
// kube-controller-manager with only the disruption controller, waits until
// they serve, and stops them when the test ends. It skips t when the
// binaries are absent.
func Start(t TB, opts Options) *Env {
	t.Helper()
	if short() {
		t.Skip("kubetest: no real control plane in -short mode")
	}
	bins, err := FindBinaries()
	if err != nil {
		t.Skipf("kubetest: %v", err)
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 2 * time.Minute
	}
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), opts.StartTimeout)
	defer cancel()

	dir := t.TempDir() // removed after the processes are stopped (cleanups run LIFO)
	env := &Env{Dir: dir, Binaries: bins}
	procs := &group{t: t}
	t.Cleanup(procs.stop)

	var etcdURL string
	procs.startServing(ctx, "etcd", filepath.Join(dir, "etcd.log"), bins.Etcd, 2,
		func(ports []int) []string {
			etcdURL = "http://127.0.0.1:" + strconv.Itoa(ports[0])
			peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
			_ = os.RemoveAll(filepath.Join(dir, "etcd")) // a failed attempt's members
			return []string{
				"--name=kubetest",
				"--data-dir=" + filepath.Join(dir, "etcd"),
				"--listen-client-urls=" + etcdURL, "--advertise-client-urls=" + etcdURL,
				"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
				"--initial-cluster=kubetest=" + peerURL,
				"--unsafe-no-fsync", "--log-level=warn",
			}
		},
		func() bool { return httpOK(ctx, http.DefaultClient, etcdURL+"/health") })

	token := randomHex(t, 32)
	tokenFile := filepath.Join(dir, "tokens.csv")
	writeFile(t, tokenFile, []byte(token+`,kubetest-admin,kubetest-admin,"system:masters"`+"\n"))
	saKey, saPub := serviceAccountKeys(t, dir)
	certDir := filepath.Join(dir, "certs")
	var httpClient *http.Client
	procs.startServing(ctx, "kube-apiserver", filepath.Join(dir, "kube-apiserver.log"), bins.APIServer, 1,
		func(ports []int) []string {
			env.URL = "https://127.0.0.1:" + strconv.Itoa(ports[0])
			env.Kubeconfig, env.Config, httpClient = nil, nil, nil
			_ = os.RemoveAll(certDir) // a failed attempt may have left its certificate
			return []string{
				"--etcd-servers=" + etcdURL,
				"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
				"--secure-port=" + strconv.Itoa(ports[0]), "--cert-dir=" + certDir,
				"--token-auth-file=" + tokenFile, "--authorization-mode=RBAC",
				"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
				"--service-account-key-file=" + saPub, "--service-account-signing-key-file=" + saKey,
				"--service-cluster-ip-range=10.0.0.0/24",
				"--endpoint-reconciler-type=none",
				"--disable-admission-plugins=ServiceAccount",
				"--profiling=false",
			}
		},
		func() bool {
			if httpClient == nil {
				// The serving certificate appears in certDir once the server starts.
				ca, err := os.ReadFile(filepath.Join(certDir, "apiserver.crt"))
				if err != nil || len(ca) == 0 {
					return false
				}
				env.Kubeconfig = kubeconfigYAML(t, env.URL, ca, token)
				cfg, err := clientcmd.RESTConfigFromKubeConfig(env.Kubeconfig)
				if err != nil {
					t.Fatalf("kubetest: own kubeconfig: %v", err)
				}
				cfg.QPS, cfg.Burst = 200, 400
				env.Config = cfg
				if httpClient, err = rest.HTTPClientFor(cfg); err != nil {
					t.Fatalf("kubetest: %v", err)
				}
			}
			return httpOK(ctx, httpClient, env.URL+"/readyz")
		})
	env.Client, err = kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}

	if !opts.NoControllerManager {
		kubeconfigFile := filepath.Join(dir, "kubeconfig")
		writeFile(t, kubeconfigFile, env.Kubeconfig)
		kcm := procs.start(ctx, "kube-controller-manager", filepath.Join(dir, "kube-controller-manager.log"), bins.ControllerManager,
			"--kubeconfig="+kubeconfigFile,
			"--controllers=disruption",
			"--leader-elect=false",
			"--secure-port=0",
			"--profiling=false",
		)
		waitDisruptionController(ctx, t, procs, kcm, env.Client)
	}
	env.Started = time.Since(began)
	t.Logf("kubetest: control plane ready at %s in %s", env.URL, env.Started.Round(time.Millisecond))
	return env
}

// waitDisruptionController creates a PDB selecting nothing and waits until
// the controller has observed it, then deletes it.
func waitDisruptionController(ctx context.Context, t TB, procs *group, kcm *proc, c kubernetes.Interface) {
	t.Helper()
	probe := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "kubetest-probe", Namespace: metav1.NamespaceDefault},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: &intstr.IntOrString{IntVal: 1},
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"kubetest-probe": "none"}},
		},
	}
	pdbs := c.PolicyV1().PodDisruptionBudgets(metav1.NamespaceDefault)
	if _, err := pdbs.Create(ctx, probe, metav1.CreateOptions{}); err != nil {
		procs.fail(ctx, "create probe PodDisruptionBudget: %v", err)
	}
	poll(ctx, t, procs, kcm, "disruption controller", func() bool {
		p, err := pdbs.Get(ctx, probe.Name, metav1.GetOptions{})
		return err == nil && p.Status.ObservedGeneration >= p.Generation
	})
	if err := pdbs.Delete(ctx, probe.Name, metav1.DeleteOptions{}); err != nil {
		procs.fail(ctx, "delete probe PodDisruptionBudget: %v", err)
	}
}

// httpOK is whether GET url answers 200 within 2s.
func httpOK(ctx context.Context, c *http.Client, url string) bool {
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// poll checks cond every 50ms until it holds; it fails the test when p
// exits or ctx ends first.
func poll(ctx context.Context, t TB, procs *group, p *proc, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-p.done:
			procs.fail(ctx, "%s exited (%v) while waiting for %s", p.name, p.err, what)
		case <-ctx.Done():
			procs.fail(ctx, "timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

func kubeconfigYAML(t TB, server string, ca []byte, token string) []byte {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubetest"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos["kubetest-admin"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["kubetest"] = &clientcmdapi.Context{Cluster: "kubetest", AuthInfo: "kubetest-admin"}
	cfg.CurrentContext = "kubetest"
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatalf("kubetest: kubeconfig: %v", err)
	}
	return b
}

// serviceAccountKeys writes an RSA key pair for service-account tokens.
func serviceAccountKeys(t TB, dir string) (keyFile, pubFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("kubetest: service account key: %v", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatalf("kubetest: service account key: %v", err)
	}
	keyFile, pubFile = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	writeFile(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	writeFile(t, pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return keyFile, pubFile
}

func randomHex(t TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	return hex.EncodeToString(b)
}

func writeFile(t TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("kubetest: %v", err)
	}
}
