// Package kubetest starts a real Kubernetes control plane for tests: etcd,
// kube-apiserver and kube-controller-manager (disruption controller only),
// built from the Go module proxy by hack/k8s-testbin (make k8s-testbin) and
// run on 127.0.0.1 with free ports, a temporary data dir and a static admin
// token. Start skips the test when the binaries are absent (so a plain
// `go test ./...` passes without them) and in -short mode.
//
// There is no kubelet, scheduler or replication controller: the helpers in
// kubelet.go play them (Ready nodes, bound Ready pods, finalizing
// terminating pods, a replica keeper).
//
// Binaries are found in $K8S_TESTBIN_DIR, else in the cache directory
// hack/k8s-testbin/build.sh would build into (same key: Kubernetes version,
// Go version, hash of hack/k8s-testbin/go.sum).
//
// Invariants: every process runs in its own process group and is killed
// (group-wide) in t.Cleanup; nothing listens beyond 127.0.0.1; the admin
// token is random per Env and never logged.
package kubetest
