#!/usr/bin/env bash
# Builds the Gitea server (code.gitea.io/gitea, a real forge used only by
# tests) from the Go module proxy in a throw-away module outside the
# repository, and caches the binary outside the repository. Prints the cache
# directory on stdout (the only line on stdout; progress goes to stderr).
#
# Cache dir: ${GITEA_DIR:-$HOME/.cache/reconciler/gitea/<gitea version>-<go version>}
#   gitea        the binary (sqlite, not a bindata build)
#   static-root  one line: the module source tree to use as STATIC_ROOT_PATH
#   stamp        the cache key; the build is skipped when it matches
# Cold: ~15-25 min on 2 busy cores (measured 2026-12-03: 557 s with an empty
# GOCACHE and the modules already downloaded, niced, on 2 cores shared with
# other builds); warm: a stamp check. Tests that need
# Gitea find it through GITEA_DIR or the default dir and skip when absent.
set -euo pipefail

ver="${GITEA_VERSION:-v1.26.0}"
gover="$(go env GOVERSION)"
key="${ver}-${gover}"
dir="${GITEA_DIR:-${HOME}/.cache/reconciler/gitea/${key}}"

fresh() {
	[ "$(cat "$dir/stamp" 2>/dev/null)" = "$key" ] || return 1
	[ -x "$dir/gitea" ] || return 1
	[ -d "$(cat "$dir/static-root" 2>/dev/null)/templates" ] || return 1
}

if fresh; then echo "$dir"; exit 0; fi

mkdir -p "$dir"
# One build at a time per cache dir (several worktrees may share it).
exec 9>"$dir/.lock"
flock 9
if fresh; then echo "$dir"; exit 0; fi

tmp="$(mktemp -d "$dir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "gitea: building ${key} into ${dir} (cold: ~15-25 min)" >&2
start=$(date +%s)
cd "$tmp"
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=1
go mod init gitea-build >/dev/null 2>&1
src="$(go mod download -json "code.gitea.io/gitea@${ver}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
# Gitea's own replace directives apply only to its main module: copy them here
# (e.g. its fork of nektos/act, pinned yaml/v4), or the build fails.
while read -r old _ new newver; do
	go mod edit -replace "${old}=${new}@${newver}"
done < <(sed -n 's#^replace \([^ ]*\) => \([^ ]*\) \([^ /]*\).*#\1 => \2 \3#p' "$src/go.mod")
go get "code.gitea.io/gitea@${ver}" >&2
go build -trimpath -tags "sqlite sqlite_unlock_notify" \
	-ldflags "-s -w -X main.Version=${ver#v}" -o "$tmp/gitea" code.gitea.io/gitea
mv -f "$tmp/gitea" "$dir/gitea"
echo "$src" > "$dir/static-root"
echo "$key" > "$dir/stamp"
echo "gitea: built in $(( $(date +%s) - start ))s" >&2
echo "$dir"
