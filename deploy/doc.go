// Package deploy holds no code the binary uses: its directory carries the plain
// manifests (kubectl apply -k deploy/), and its tests check the packaging as a
// whole: the Dockerfile's essentials, these manifests, and the Helm chart in
// charts/reconciler rendered offline with the Helm SDK, every object then
// created with server-side dry-run against a real kube-apiserver
// (pkg/kubetest; skipped without its binaries).
//
// Invariant: Helm is imported only from this package's _test files, so it is
// in go.mod but never linked into cmd/reconciler.
package deploy
