#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and etcd from this tools
# module into a cache directory outside the repository and prints that
# directory on stdout (the only line on stdout; progress goes to stderr).
#
# Cache dir: ${K8S_TESTBIN_DIR:-$HOME/.cache/reconciler/k8s-testbin/<k8s version>-<go version>-<go.sum hash>}
# The build is skipped when <dir>/stamp matches (same key, all binaries
# present). Cold: ~10-15 min on 2 busy cores; warm: a stamp check.
set -euo pipefail
cd "$(dirname "$0")"

export GOFLAGS=-mod=readonly CGO_ENABLED=0
k8sver="$(go list -m -f '{{.Version}}' k8s.io/kubernetes)"
gover="$(go env GOVERSION)"
sumhash="$(sha256sum go.sum | cut -c1-12)"
key="${k8sver}-${gover}-${sumhash}"
dir="${K8S_TESTBIN_DIR:-${HOME}/.cache/reconciler/k8s-testbin/${key}}"
bins=(kube-apiserver kube-controller-manager etcd)

fresh() {
	[ "$(cat "$dir/stamp" 2>/dev/null)" = "$key" ] || return 1
	for b in "${bins[@]}"; do [ -x "$dir/$b" ] || return 1; done
}

if fresh; then echo "$dir"; exit 0; fi

mkdir -p "$dir"
# One build at a time per cache dir (several worktrees may share it).
exec 9>"$dir/.lock"
flock 9
if fresh; then echo "$dir"; exit 0; fi

minor="${k8sver#v1.}"; minor="${minor%%.*}"
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ld+=" -X ${p}.gitVersion=${k8sver} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${minor} -X ${p}.gitTreeState=clean"
done
tmp="$(mktemp -d "$dir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "k8s-testbin: building ${key} into ${dir} (cold: ~10-15 min)" >&2
start=$(date +%s)
go build -trimpath -ldflags "$ld" -o "$tmp/" \
	k8s.io/kubernetes/cmd/kube-apiserver \
	k8s.io/kubernetes/cmd/kube-controller-manager \
	go.etcd.io/etcd/server/v3
mv "$tmp/server" "$tmp/etcd"
for b in "${bins[@]}"; do mv -f "$tmp/$b" "$dir/$b"; done
echo "$key" > "$dir/stamp"
echo "k8s-testbin: built in $(( $(date +%s) - start ))s" >&2
echo "$dir"
